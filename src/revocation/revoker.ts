// Every revocation, made real in two places: the session store (refresh tokens die at once) and the feed (access
// tokens die on every instance within about a second). A store failure rejects, so callers fail closed (503).
import { NotReplicatedError } from '../redis-errors.js'
import type { SessionStore } from '../sessions/session-store.js'
import type { RevocationFeed } from './revocation-feed.js'
import type { RevocationEvent } from './revocation-list.js'

export type RevokeReason = 'logout' | 'logout_all' | 'session_deleted' | 'reuse' | 'rollback' | 'password_changed'
  | 'admin_revoke' | 'admin_disable' | 'roles_changed' | 'evicted'

export interface Revoker {
  /** Logout by refresh token. 'malformed' for a token of the wrong shape; otherwise what was revoked, if anything. */
  byRefreshToken (token: string, reason: RevokeReason): Promise<'malformed' | 'unknown' | { userId: string, familyId: string }>
  /** Revoke one family (bearer logout, session delete). Returns whether a live family was revoked. */
  family (userId: string, familyId: string, reason: RevokeReason): Promise<boolean>
  /** Bump the user's session version: every family and every access token issued so far dies. Returns the new version. */
  allForUser (userId: string, reason: RevokeReason): Promise<number>
  /** Broadcast a revocation the store has already made (reuse, rollback, eviction inside a script). */
  announceFamily (userId: string, familyId: string, reason: RevokeReason): Promise<void>
  /** Called after each revocation this instance made and broadcast (metrics); not for ones heard from other instances. */
  onRevoked (listener: (event: RevocationEvent & { reason: RevokeReason }) => void): void
}

export function createRevoker (deps: { sessions: SessionStore, feed: RevocationFeed, nowMs: () => number }): Revoker {
  const { sessions, feed, nowMs } = deps
  const listeners: Array<(event: RevocationEvent & { reason: RevokeReason }) => void> = []
  const publish = async (event: RevocationEvent & { reason: RevokeReason }) => {
    await feed.publish(event)
    for (const listener of listeners) listener(event)
  }
  const announceFamily = (userId: string, familyId: string, reason: RevokeReason) =>
    publish({ kind: 'family', userId, familyId, atMs: nowMs(), reason })
  // A revocation answered 503 that stands on the primary (NotReplicatedError.revoked): its access tokens die now too,
  // best effort (the 503 is what the caller must see), since the client's retry finds no live family to announce.
  const announceUnreplicated = async (err: unknown, reason: RevokeReason): Promise<never> => {
    if (err instanceof NotReplicatedError && err.revoked !== undefined) {
      await announceFamily(err.revoked.userId, err.revoked.familyId, reason).catch(() => undefined)
    }
    throw err
  }

  return {
    async byRefreshToken (token, reason) {
      const outcome = await sessions.revokeByToken(token, reason).catch((err: unknown) => announceUnreplicated(err, reason))
      if (typeof outcome === 'object') await announceFamily(outcome.userId, outcome.familyId, reason)
      return outcome
    },
    async family (userId, familyId, reason) {
      const revoked = await sessions.revokeFamily(userId, familyId, reason).catch((err: unknown) => announceUnreplicated(err, reason))
      // Only ids that named a live family are broadcast, so made-up ids cannot grow every instance's list.
      if (revoked) await announceFamily(userId, familyId, reason)
      return revoked
    },
    async allForUser (userId, reason) {
      const minVersion = await sessions.revokeAllForUser(userId, reason)
      await publish({ kind: 'user', userId, minVersion, atMs: nowMs(), reason })
      return minVersion
    },
    announceFamily,
    onRevoked (listener) { listeners.push(listener) }
  }
}
