// Revocation state consulted after every signature check, on Rotor's own instances and in resource servers fed by
// Rotor's revocation feed (one implementation for both): "user U: session versions below N are dead" and "session S
// is dead". Decisions use claims (sub, sv, sid), never the token text. An entry lives as long as a token issued before
// it could: max(atMs, arrival) + the longest access-token lifetime + leeway (a revoker's clock behind ours cannot
// shorten it), so memory is bounded by the revocation rate times that lifetime. Events only ever add revocations, so
// applying one is idempotent and a snapshot is merged into what is known, never swapped for it.

/** One event of the feed, as Rotor sends it (docs/revocation-feed.md). */
export type FeedEvent =
  | { kind: 'user', userId: string, minVersion: number, atMs: number, reason: string }
  | { kind: 'session', userId: string, sessionId: string, atMs: number, reason: string }

export interface RevocationList {
  /** Idempotent; a user entry keeps the highest version seen. Only the contract's fields are kept. */
  apply (event: FeedEvent): void
  isRevoked (claims: { userId: string, sessionId: string, sessionVersion: number }): boolean
  /** Drop entries whose tokens have all expired. */
  prune (): void
  size (): { users: number, sessions: number }
  /**
   * Every entry still in force, as the event that made it (for a user, the one that set the floor), e.g. for a
   * snapshot of the feed. Lazy: entries added while it is walked may be included, expired ones are skipped.
   */
  entries (): IterableIterator<FeedEvent>
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

// Entries are updated in place: apply allocates only for an id it has not seen, isRevoked never allocates.
interface UserEntry { minVersion: number, atMs: number, reason: string, expiresAtMs: number }
interface SessionEntry { userId: string, atMs: number, reason: string, expiresAtMs: number }

export function createRevocationList (deps: { retentionMs: number, nowMs: () => number }): RevocationList {
  const { retentionMs, nowMs } = deps
  const users = new Map<string, UserEntry>()
  // Keyed by session id (Rotor's family id, unique across users); the user id is kept out of the key on purpose:
  // a token's sid alone identifies the session.
  const sessions = new Map<string, SessionEntry>()

  return {
    apply (event) {
      // Counted from when we learnt of it at the earliest: instances and resource servers need not agree on time.
      const expiresAtMs = Math.max(event.atMs, nowMs()) + retentionMs
      if (event.kind === 'session') {
        const current = sessions.get(event.sessionId)
        // The first event for a session is the one kept for entries(); a repeat can only lengthen its life.
        if (current === undefined) {
          sessions.set(event.sessionId, { userId: event.userId, atMs: event.atMs, reason: event.reason, expiresAtMs })
        } else if (expiresAtMs > current.expiresAtMs) current.expiresAtMs = expiresAtMs
        return
      }
      const current = users.get(event.userId)
      if (current === undefined) {
        users.set(event.userId, { minVersion: event.minVersion, atMs: event.atMs, reason: event.reason, expiresAtMs })
        return
      }
      // A floor at least as high replaces the event kept (the latest news); a lower one is older news.
      if (event.minVersion >= current.minVersion) {
        current.minVersion = event.minVersion
        current.atMs = event.atMs
        current.reason = event.reason
      }
      if (expiresAtMs > current.expiresAtMs) current.expiresAtMs = expiresAtMs
    },
    isRevoked ({ userId, sessionId, sessionVersion }) {
      // Runs on every request: the clock is read only when an entry matches.
      const user = users.get(userId)
      if (user !== undefined && sessionVersion < user.minVersion && user.expiresAtMs > nowMs()) return true
      const session = sessions.get(sessionId)
      return session !== undefined && session.expiresAtMs > nowMs()
    },
    prune () {
      const now = nowMs()
      for (const [id, entry] of users) if (entry.expiresAtMs <= now) users.delete(id)
      for (const [id, entry] of sessions) if (entry.expiresAtMs <= now) sessions.delete(id)
    },
    size: () => ({ users: users.size, sessions: sessions.size }),
    * entries () {
      for (const [userId, { minVersion, atMs, reason, expiresAtMs }] of users) {
        if (expiresAtMs > nowMs()) yield { kind: 'user', userId, minVersion, atMs, reason }
      }
      for (const [sessionId, { userId, atMs, reason, expiresAtMs }] of sessions) {
        if (expiresAtMs > nowMs()) yield { kind: 'session', userId, sessionId, atMs, reason }
      }
    }
  }
}
