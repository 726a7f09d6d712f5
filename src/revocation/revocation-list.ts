// In-process revocation state consulted after every signature check. The rules (a user entry is a floor of session
// versions, a session entry kills that sid, each lives max(atMs, now) + one access-token lifetime + leeway, idempotent)
// live once, in @rotor/verify, which resource servers use too. This adapter only maps Rotor's internal event shape,
// the one in the Redis revocation log ({ kind: 'family', familyId }), to the feed's public one
// ({ kind: 'session', sessionId }). The log keeps the internal shape: instances of an older version read it during a
// rolling upgrade, and entries they wrote must still be read here. Entries in the public shape are read too, so that a
// later version can switch the log to it once no instance older than this one runs.
import { createRevocationList as createSharedList, type FeedEvent, type RevocationList as SharedList } from '@rotor/verify'

export type { FeedEvent } from '@rotor/verify'

export type RevocationEvent =
  | { kind: 'user', userId: string, minVersion: number, atMs: number, reason: string }
  | { kind: 'family', userId: string, familyId: string, atMs: number, reason: string }

/** The shared list, taking log entries in either shape; `size` keeps the name metrics and tests know (families). */
export type RevocationList = Pick<SharedList, 'isRevoked' | 'prune' | 'entries'> & {
  /** Idempotent; a user entry keeps the highest version seen. */
  apply (event: LogEvent): void
  size (): { users: number, families: number }
}

/** What a log entry may hold: the internal shape (written today) or the public one. */
export type LogEvent = RevocationEvent | FeedEvent

/** The public shape of a log entry, with only the contract's fields, whatever else the entry carried. */
export function toFeedEvent (event: LogEvent): FeedEvent {
  const { userId, atMs, reason } = event
  if (event.kind === 'user') return { kind: 'user', userId, minVersion: event.minVersion, atMs, reason }
  return { kind: 'session', userId, sessionId: event.kind === 'family' ? event.familyId : event.sessionId, atMs, reason }
}

export function createRevocationList (deps: { retentionMs: number, nowMs: () => number }): RevocationList {
  const list = createSharedList(deps)
  return {
    apply: (event) => { list.apply(toFeedEvent(event)) },
    // The warm path: the shared list's own method, no wrapper, no allocation.
    isRevoked: list.isRevoked,
    prune: list.prune,
    size () {
      const { users, sessions } = list.size()
      return { users, families: sessions }
    },
    entries: list.entries
  }
}
