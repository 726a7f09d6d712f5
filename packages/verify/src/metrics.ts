// What the verifier reports through the onMetric hook: plain objects, so any metrics library can count them.
import type { RejectReason } from './claims.js'

export type FeedState = 'starting' | 'live' | 'degraded'

export type MetricEvent =
  | { name: 'jwks_fetch', outcome: 'ok' | 'error', keys: number }
  | { name: 'cache', outcome: 'hit' | 'miss' }
  | { name: 'rejected', reason: RejectReason }
  | { name: 'feed_event', kind: 'user' | 'session', snapshot: boolean }
  | { name: 'feed_snapshot', entries: number }
  | { name: 'feed_reconnect', cause: string }
  | { name: 'feed_state', state: FeedState }

export type MetricHook = (event: MetricEvent) => void

/** A metrics hook that throws must not break verification: its errors are swallowed. */
export function safeHook (hook: MetricHook | undefined): MetricHook {
  if (hook === undefined) return () => undefined
  return (event) => { try { hook(event) } catch { /* the hook's own problem */ } }
}
