// Read-only session queries: the strict liveness check and the session list (one script each, on the user's hash).
import type { KeyNames } from '../key-names.js'
import { nowOverride, runScript, type RedisClient } from './scripts.js'
import { decodeSessionMetadata } from './session-metadata.js'
import type { SessionInfo, SessionStore } from './session-store.js'

const LIST_COLUMNS = 5 // id, created, last used, expires, metadata (list-sessions.lua)
const USER_FIELDS = 6 // the user record's own fields (USER_FIELDS in family-state.lua)
/** Most families one listing reads when sessions are unlimited (MAX_SESSIONS_PER_USER=0): the cost stays bounded. */
export const LIST_MAX_FAMILIES = 1000

export function createSessionReads (deps: {
  redis: RedisClient, keys: KeyNames, idleMs: number, maxSessions: number, storeClock?: (() => number) | undefined
}): Pick<SessionStore, 'checkSession' | 'listSessions'> {
  const { redis, keys, idleMs, storeClock } = deps
  const listed = deps.maxSessions > 0 ? deps.maxSessions : LIST_MAX_FAMILIES
  return {
    async checkSession (userId, familyId, sessionVersion) {
      const reply = await runScript(redis, 'check-session', [keys.user(userId)], [sessionVersion, familyId, nowOverride(storeClock), idleMs])
      return String(reply) as Awaited<ReturnType<SessionStore['checkSession']>>
    },

    async listSessions (userId) {
      const reply = await runScript(redis, 'list-sessions', [keys.user(userId)], [nowOverride(storeClock), idleMs, listed + USER_FIELDS, listed])
      const sessions: SessionInfo[] = []
      for (let i = 0; i + LIST_COLUMNS <= reply.length; i += LIST_COLUMNS) {
        const [id, created, lastUsed, expires, metadata] = reply.slice(i, i + LIST_COLUMNS)
        sessions.push({
          id: String(id),
          createdAtMs: Number(created),
          lastUsedAtMs: Number(lastUsed),
          expiresAtMs: Number(expires),
          ...decodeSessionMetadata(String(metadata ?? ''))
        })
      }
      return sessions.sort((a, b) => b.lastUsedAtMs - a.lastUsedAtMs) // most recently used first
    }
  }
}
