// In-process revocation state consulted after every signature check: "user U: session versions below N are dead"
// and "family F is dead". Decisions use claims (sub, sv, sid), never the token text. Every entry lives only as long as
// a token issued before it could (the longest access-token lifetime plus leeway), so memory is bounded by the
// revocation rate times that lifetime.

export type RevocationEvent =
  | { kind: 'user', userId: string, minVersion: number, atMs: number, reason: string }
  | { kind: 'family', userId: string, familyId: string, atMs: number, reason: string }

export interface RevocationList {
  /** Idempotent; a user entry keeps the highest version seen. */
  apply (event: RevocationEvent): void
  isRevoked (claims: { userId: string, sessionId: string, sessionVersion: number }): boolean
  /** Drop entries whose tokens have all expired. */
  prune (): void
  size (): { users: number, families: number }
}

export function createRevocationList (deps: { retentionMs: number, nowMs: () => number }): RevocationList {
  const { retentionMs, nowMs } = deps
  const users = new Map<string, { minVersion: number, expiresAtMs: number }>()
  const families = new Map<string, number>()

  return {
    apply (event) {
      // Counted from when this instance learnt of it at the earliest: a revoking instance whose clock runs behind
      // must not shorten the entry's life here (instances need not agree on time).
      const expiresAtMs = Math.max(event.atMs, nowMs()) + retentionMs
      if (event.kind === 'family') {
        families.set(event.familyId, Math.max(families.get(event.familyId) ?? 0, expiresAtMs))
        return
      }
      const current = users.get(event.userId)
      users.set(event.userId, {
        minVersion: Math.max(current?.minVersion ?? 0, event.minVersion),
        expiresAtMs: Math.max(current?.expiresAtMs ?? 0, expiresAtMs)
      })
    },
    isRevoked ({ userId, sessionId, sessionVersion }) {
      // Runs on every authenticated request: the clock is read only when an entry matches.
      const user = users.get(userId)
      if (user !== undefined && sessionVersion < user.minVersion && user.expiresAtMs > nowMs()) return true
      const family = families.get(sessionId)
      return family !== undefined && family > nowMs()
    },
    prune () {
      const now = nowMs()
      for (const [id, entry] of users) if (entry.expiresAtMs <= now) users.delete(id)
      for (const [id, expiresAtMs] of families) if (expiresAtMs <= now) families.delete(id)
    },
    size: () => ({ users: users.size, families: families.size })
  }
}
