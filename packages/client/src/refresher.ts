// One refresh at a time: per client (single flight) and, through the tab lock, per origin. The rotation itself
// follows the server's rules for not losing a session: a lost answer is retried once with the same token, inside
// REFRESH_REUSE_GRACE_SECONDS, where Rotor hands out the same successor again (docs/design.md, the `grace` outcome);
// 429 and 5xx wait for Retry-After; only `invalid_grant` signs out (RFC 6749 §5.2).
import { SignedOutError, TemporarilyUnavailableError } from './errors.js'
import type { Emitter } from './events.js'
import type { Session } from './session.js'
import { REFRESH_TOKEN_KEY, type TokenStorage } from './storage.js'
import type { TabSync } from './tab-sync.js'
import { post, tokenOutcome, type Outcome, type TransportOptions } from './transport.js'

export interface RefresherOptions {
  transport: TransportOptions
  storage: TokenStorage
  session: Session
  tabs: () => TabSync
  emitter: Emitter
  random: () => number
}

export interface Refresher {
  /** Rotate now, or join the rotation already in flight. Rejects with SignedOutError or TemporarilyUnavailableError. */
  refresh (): Promise<void>
  /** Resolves once no refresh is in flight (whatever its outcome). */
  settled (): Promise<void>
}

/** Without Retry-After: 1 s, 2 s, 4 s … up to 30 s, each scaled by a random 50–100 % so clients spread out. */
function backoffMs (failures: number, random: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)) * (0.5 + random / 2)
}

export function createRefresher (options: RefresherOptions): Refresher {
  const { transport, storage, session, emitter } = options
  let inFlight: Promise<void> | undefined
  let failures = 0

  async function attempt (body: object | undefined): Promise<Outcome> {
    const { response, outcome } = await post(transport, '/auth/refresh', body)
    return outcome ?? await tokenOutcome(transport, response!)
  }

  function deferred (status: number, retryAfterMs: number | undefined, code?: string): TemporarilyUnavailableError {
    failures++
    const waitMs = retryAfterMs === undefined ? backoffMs(failures, options.random()) : Math.max(1000, retryAfterMs)
    session.retryIn(waitMs)
    emitter.emit('refreshDeferred', { status, retryAfterMs: waitMs })
    return new TemporarilyUnavailableError(`Rotor could not refresh now (${status === 0 ? 'unreachable' : status}); retrying in ${Math.round(waitMs)} ms`, status, waitMs, code)
  }

  async function rotate (): Promise<void> {
    let body: object | undefined
    if (transport.delivery === 'body') {
      // The store, not memory, is the source of truth: another tab or an earlier process may have rotated.
      const stored = await storage.get(REFRESH_TOKEN_KEY)
      if (stored === null || stored === undefined || stored === '') throw new SignedOutError()
      body = { refresh_token: stored }
    }
    const signOuts = session.signOuts
    let outcome = await attempt(body)
    // The first answer may be lost after Rotor rotated: the same token again gets the same successor.
    if (outcome.kind === 'lost') outcome = await attempt(body)
    switch (outcome.kind) {
      case 'granted': {
        const { grant } = outcome
        // Signed out (logout, another tab) while this rotation was on the wire: it must not sign the user back in.
        if (session.signOuts !== signOuts) throw new SignedOutError()
        if (transport.delivery === 'body') {
          // Stored before it is used: a crash after this point resumes from the successor, before it from the
          // predecessor (still inside the grace window). A failed write leaves the predecessor there: try again later.
          try { await storage.set(REFRESH_TOKEN_KEY, grant.refreshToken ?? '') } catch (err) {
            throw Object.assign(deferred(0, undefined, 'storage_failed'), { cause: err })
          }
        }
        failures = 0
        session.accept(grant, 'refreshed')
        return
      }
      case 'invalid_grant':
        await session.signOut('invalid_grant')
        throw new SignedOutError('The session has ended: Rotor refused the refresh token')
      case 'refused':
        // Cookie delivery with no cookie to send (a fresh browser, cookies cleared): there is no session.
        if (outcome.error.code === 'invalid_request' && transport.delivery === 'cookie') {
          if (session.accessToken !== undefined) await session.signOut('invalid_grant')
          throw new SignedOutError()
        }
        throw outcome.error
      case 'lost':
        throw deferred(outcome.status, undefined)
      case 'unavailable':
        throw deferred(outcome.status, outcome.retryAfterMs, outcome.code)
    }
  }

  async function run (): Promise<void> {
    const seen = session.version
    await options.tabs().withLock(async () => {
      // Another tab rotated while this one waited for the lock; its token arrived by message.
      if (session.version !== seen && !session.expired()) return
      await rotate()
    })
  }

  return {
    refresh: () => {
      inFlight ??= run().finally(() => { inFlight = undefined })
      return inFlight
    },
    settled: async () => { await inFlight?.catch(() => {}) }
  }
}
