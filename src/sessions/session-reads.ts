// Read-only session queries: the strict liveness check and the session list (one script each, on the user's hash).
import type { KeyNames } from '../key-names.js'
import { runScript, type RedisClient } from './scripts.js'
import { decodeSessionMetadata } from './session-metadata.js'
import type { SessionInfo, SessionStore } from './session-store.js'

const LIST_COLUMNS = 5 // id, created, last used, expires, metadata (list-sessions.lua)

export function createSessionReads (deps: { redis: RedisClient, keys: KeyNames, idleMs: number, nowMs: () => number }): Pick<SessionStore, 'checkSession' | 'listSessions'> {
  const { redis, keys, idleMs, nowMs } = deps
  return {
    async checkSession (userId, familyId, sessionVersion) {
      const reply = await runScript(redis, 'check-session', [keys.user(userId)], [sessionVersion, familyId, nowMs(), idleMs])
      return String(reply) as Awaited<ReturnType<SessionStore['checkSession']>>
    },

    async listSessions (userId) {
      const reply = await runScript(redis, 'list-sessions', [keys.user(userId)], [nowMs(), idleMs])
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
