// The client's events: what an app shows (signed in, signed out and why) and what it may log (refreshes, waits).

/** Why the session ended. Only these end it: never a 429, a 5xx, a timeout or a clock that is off. */
export type SignOutReason =
  /** logout() here or, with `fromOtherTab`, in another tab. */
  | 'logout'
  | 'logout_all'
  /** Rotor refused the refresh token (RFC 6749 §5.2): revoked, expired, or reused outside the grace window. */
  | 'invalid_grant'

export interface RotorEvents {
  signedIn: { sessionId: string }
  tokenRefreshed: { sessionId: string, fromOtherTab: boolean }
  signedOut: { reason: SignOutReason, fromOtherTab: boolean }
  /** A refresh could not be done now (429, 5xx, unreachable); it is retried after `retryAfterMs`. */
  refreshDeferred: { status: number, retryAfterMs: number }
  /** The next proactive refresh runs in `inMs` (device clock), before the access token expires. */
  refreshScheduled: { inMs: number }
}

export type Listener<K extends keyof RotorEvents> = (event: RotorEvents[K]) => void

export interface Emitter {
  on <K extends keyof RotorEvents>(name: K, listener: Listener<K>): () => void
  emit <K extends keyof RotorEvents>(name: K, event: RotorEvents[K]): void
}

export function createEmitter (): Emitter {
  const listeners = new Map<keyof RotorEvents, Set<(event: never) => void>>()
  return {
    on (name, listener) {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set)
      set.add(listener as (event: never) => void)
      return () => { set.delete(listener as (event: never) => void) }
    },
    emit (name, event) {
      // A listener that throws must not break the client's own bookkeeping.
      for (const listener of listeners.get(name) ?? []) {
        try { (listener as (event: RotorEvents[typeof name]) => void)(event) } catch (err) { console.error(err) }
      }
    }
  }
}
