// Every revocation, made real in two places: the session store (refresh tokens die at once) and the feed (access
// tokens die on every instance within about a second). A store failure rejects, so callers fail closed (503).
import { NotReplicatedError } from '../redis-errors.js'
import type { LogoutAllCaller, SessionStore } from '../sessions/session-store.js'
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
  /**
   * POST /auth/logout-all by an access token (SessionStore.logoutAll): true once every session of the caller's
   * version or older is dead, replicated and announced; false when the caller's own session is not live (401).
   */
  logoutAll (caller: LogoutAllCaller): Promise<boolean>
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
  // The same for a session-version bump: without it, a logout-all answered 503 would leave its access tokens alive
  // on every verifier until they expire, or until a retry (which now confirms it rather than bumping again).
  const announceUnreplicated = async (err: unknown, reason: RevokeReason): Promise<never> => {
    if (err instanceof NotReplicatedError && err.revoked !== undefined) {
      await announceFamily(err.revoked.userId, err.revoked.familyId, reason).catch(() => undefined)
    }
    if (err instanceof NotReplicatedError && err.floor !== undefined) {
      await announceFloor(err.floor.userId, err.floor.minVersion, reason).catch(() => undefined)
    }
    throw err
  }
  const floor = (userId: string, minVersion: number, reason: RevokeReason) => ({ kind: 'user' as const, userId, minVersion, atMs: nowMs(), reason })
  const announceFloor = (userId: string, minVersion: number, reason: RevokeReason) => publish(floor(userId, minVersion, reason))

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
      const minVersion = await sessions.revokeAllForUser(userId, reason).catch((err: unknown) => announceUnreplicated(err, reason))
      await announceFloor(userId, minVersion, reason)
      return minVersion
    },
    async logoutAll (caller) {
      const outcome = await sessions.logoutAll(caller, 'logout_all').catch((err: unknown) => announceUnreplicated(err, 'logout_all'))
      if (!outcome.ok) return false
      // A confirmation is announced again, since the first attempt's announcement was best effort (applying it twice
      // is harmless), but it is not a second revocation for the listeners (metrics).
      const event = floor(caller.userId, outcome.minVersion, 'logout_all')
      await (outcome.already ? feed.publish(event) : publish(event))
      return true
    },
    announceFamily,
    onRevoked (listener) { listeners.push(listener) }
  }
}
