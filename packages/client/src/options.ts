// createRotorClient's options, with their defaults in one place.
import type { TokenStorage } from './storage.js'
import type { Delivery } from './transport.js'

export interface RotorClientOptions {
  /** Rotor's base URL, e.g. `https://auth.example.com` (the /auth routes are resolved against it). */
  baseUrl: string
  /**
   * `cookie` for browsers: the refresh token lives in Rotor's HttpOnly cookie, never in JavaScript.
   * `body` for mobile apps and Node: the refresh token is kept in `storage`.
   */
  delivery: Delivery
  /** Body delivery: where the refresh token is kept (default: in memory, for this process only). */
  storage?: TokenStorage
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch
  /** Refresh this many seconds (plus up to half as much, at random) before the access token expires. Default 60. */
  refreshAheadSeconds?: number
  /** Give up on one request to Rotor after this long (it counts as lost). Default 10 000. */
  requestTimeoutMs?: number
  /** Wait this long for another tab's refresh lock before taking it over. Default 10 000. */
  lockTimeoutMs?: number
  /**
   * Share rotations and sign-outs with the other tabs of this origin (Web Locks and BroadcastChannel). Default: on
   * in a page (where `document` exists) that has both APIs, off elsewhere.
   */
  crossTab?: boolean
  /** The device clock, in ms since the epoch (default `Date.now`); the server's is estimated from its `Date` header. */
  now?: () => number
  /** A source of numbers in [0, 1) for jitter (default `Math.random`). */
  random?: () => number
}

export const DEFAULTS = { refreshAheadSeconds: 60, requestTimeoutMs: 10_000, lockTimeoutMs: 10_000 } as const
