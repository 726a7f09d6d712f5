// Read-only session queries: the strict liveness check and the session list.
import type { KeyNames } from '../key-names.js'
import { runScript, type RedisClient } from './scripts.js'
import type { SessionInfo, SessionStore } from './session-store.js'

export function createSessionReads (deps: { redis: RedisClient, keys: KeyNames, idleMs: number, nowMs: () => number }): Pick<SessionStore, 'checkSession' | 'listSessions'> {
  const { redis, keys, idleMs, nowMs } = deps
  return {
    async checkSession (userId, familyId, sessionVersion) {
      const reply = await runScript(redis, 'check-session', [keys.user(userId), keys.family(userId, familyId)], [sessionVersion])
      return String(reply) as Awaited<ReturnType<SessionStore['checkSession']>>
    },

    async listSessions (userId) {
      const familyIds = await redis.zrevrange(keys.families(userId), 0, -1)
      if (familyIds.length === 0) return []
      const pipeline = redis.pipeline()
      pipeline.hget(keys.user(userId), 'sv')
      for (const id of familyIds) pipeline.hmget(keys.family(userId, id), 'g', 'rv', 'sv', 'c', 'lu', 'ax', 'ua', 'ip')
      const results = (await pipeline.exec()) ?? []
      const failed = results.find(([err]) => err !== null)
      if (failed !== undefined) throw failed[0]
      const userVersion = Number(results[0]?.[1] ?? 0)
      const now = nowMs()
      const sessions: SessionInfo[] = []
      familyIds.forEach((id, i) => {
        const [g, rv, sv, c, lu, ax, ua, ip] = results[i + 1]?.[1] as Array<string | null>
        if (g === null || rv !== null || Number(sv) < userVersion) return
        const lastUsedAtMs = Number(lu)
        const expiresAtMs = Math.min(Number(ax), lastUsedAtMs + idleMs)
        if (expiresAtMs <= now) return
        sessions.push({ id, createdAtMs: Number(c), lastUsedAtMs, expiresAtMs, userAgent: ua ?? '', ip: ip ?? '' })
      })
      return sessions
    }
  }
}
