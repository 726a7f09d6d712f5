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
  /**
   * Every entry still in force, as the event that made it (the latest one for a user), for the feed's snapshot. Lazy:
   * entries added while it is walked may be included, pruned ones are skipped (they no longer matter).
   */
  entries (): IterableIterator<RevocationEvent>
}

type Kept<E> = E & { expiresAtMs: number }

export function createRevocationList (deps: { retentionMs: number, nowMs: () => number }): RevocationList {
  const { retentionMs, nowMs } = deps
  const users = new Map<string, Kept<Extract<RevocationEvent, { kind: 'user' }>>>()
  const families = new Map<string, Kept<Extract<RevocationEvent, { kind: 'family' }>>>()

  return {
    apply (event) {
      // Counted from when this instance learnt of it at the earliest: a revoking instance whose clock runs behind
      // must not shorten the entry's life here (instances need not agree on time).
      const expiresAtMs = Math.max(event.atMs, nowMs()) + retentionMs
      if (event.kind === 'family') {
        const current = families.get(event.familyId)
        families.set(event.familyId, { ...(current ?? event), expiresAtMs: Math.max(current?.expiresAtMs ?? 0, expiresAtMs) })
        return
      }
      const current = users.get(event.userId)
      const latest = current === undefined || event.minVersion >= current.minVersion ? event : current
      users.set(event.userId, {
        ...latest,
        minVersion: Math.max(current?.minVersion ?? 0, event.minVersion),
        expiresAtMs: Math.max(current?.expiresAtMs ?? 0, expiresAtMs)
      })
    },
    isRevoked ({ userId, sessionId, sessionVersion }) {
      // Runs on every authenticated request: the clock is read only when an entry matches.
      const user = users.get(userId)
      if (user !== undefined && sessionVersion < user.minVersion && user.expiresAtMs > nowMs()) return true
      const family = families.get(sessionId)
      return family !== undefined && family.expiresAtMs > nowMs()
    },
    prune () {
      const now = nowMs()
      for (const [id, entry] of users) if (entry.expiresAtMs <= now) users.delete(id)
      for (const [id, entry] of families) if (entry.expiresAtMs <= now) families.delete(id)
    },
    size: () => ({ users: users.size, families: families.size }),
    * entries () {
      for (const map of [users, families] as Array<Map<string, Kept<RevocationEvent>>>) {
        for (const { expiresAtMs, ...event } of map.values()) if (expiresAtMs > nowMs()) yield event as RevocationEvent
      }
    }
  }
}
