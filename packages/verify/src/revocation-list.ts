// The resource server's revocation state, fed by Rotor's revocation feed: "user U: session versions below N are
// dead" and "session S of user U is dead". Decisions use claims (sub, sv, sid), never the token text. An entry lives
// as long as a token issued before it could: max(atMs, arrival) + the longest access-token lifetime + leeway, as on
// Rotor's own instances (a revoker's clock behind ours cannot shorten it). Events only ever add revocations, so a
// snapshot is merged into what is known, never swapped for it.

/** One event of the feed, as Rotor sends it (docs/revocation-feed.md). */
export type FeedEvent =
  | { kind: 'user', userId: string, minVersion: number, atMs: number, reason: string }
  | { kind: 'session', userId: string, sessionId: string, atMs: number, reason: string }

export interface RevocationList {
  /** Idempotent; a user entry keeps the highest version seen. */
  apply (event: FeedEvent): void
  isRevoked (claims: { userId: string, sessionId: string, sessionVersion: number }): boolean
  /** Drop entries whose tokens have all expired. */
  prune (): void
  size (): { users: number, sessions: number }
}

/** A feed event's JSON, checked member by member: anything else is ignored, never half-applied. */
export function parseFeedEvent (value: unknown): FeedEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const e = value as Record<string, unknown>
  if (typeof e.userId !== 'string' || typeof e.atMs !== 'number' || !Number.isFinite(e.atMs)) return undefined
  const reason = typeof e.reason === 'string' ? e.reason : 'unknown'
  if (e.kind === 'user' && Number.isSafeInteger(e.minVersion)) {
    return { kind: 'user', userId: e.userId, minVersion: e.minVersion as number, atMs: e.atMs, reason }
  }
  if (e.kind === 'session' && typeof e.sessionId === 'string') {
    return { kind: 'session', userId: e.userId, sessionId: e.sessionId, atMs: e.atMs, reason }
  }
  return undefined
}

export function createRevocationList (deps: { retentionMs: number, nowMs: () => number }): RevocationList {
  const { retentionMs, nowMs } = deps
  const users = new Map<string, { minVersion: number, expiresAtMs: number }>()
  // Keyed by session id (Rotor's family id, unique across users); the user id is kept out of the key on purpose:
  // a token's sid alone identifies the session.
  const sessions = new Map<string, number>()

  return {
    apply (event) {
      const expiresAtMs = Math.max(event.atMs, nowMs()) + retentionMs
      if (event.kind === 'session') {
        sessions.set(event.sessionId, Math.max(sessions.get(event.sessionId) ?? 0, expiresAtMs))
        return
      }
      const current = users.get(event.userId)
      users.set(event.userId, {
        minVersion: Math.max(current?.minVersion ?? 0, event.minVersion),
        expiresAtMs: Math.max(current?.expiresAtMs ?? 0, expiresAtMs)
      })
    },
    isRevoked ({ userId, sessionId, sessionVersion }) {
      // Runs on every request: the clock is read only when an entry matches.
      const user = users.get(userId)
      if (user !== undefined && sessionVersion < user.minVersion && user.expiresAtMs > nowMs()) return true
      const session = sessions.get(sessionId)
      return session !== undefined && session > nowMs()
    },
    prune () {
      const now = nowMs()
      for (const [id, entry] of users) if (entry.expiresAtMs <= now) users.delete(id)
      for (const [id, expiresAtMs] of sessions) if (expiresAtMs <= now) sessions.delete(id)
    },
    size: () => ({ users: users.size, sessions: sessions.size })
  }
}
