// The revocation feed as metrics: how late revocations arrive, which state the feed is in, how many events it took in.
// State and event counts are read from feed.status() at scrape time, so they can never drift from what /readyz says.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { FeedState, RevocationFeed } from '../revocation/revocation-feed.js'

const STATES: FeedState[] = ['starting', 'live', 'degraded']
/** Live events arrive within milliseconds; replays after an outage can be as old as one access-token lifetime. */
const LAG_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

export function instrumentRevocationFeed (feed: RevocationFeed, registry: Registry): void {
  const registers = [registry]
  const lag = new Histogram({
    name: 'rotor_revocation_feed_lag_seconds',
    // The replay at boot happens before this listener exists: history older than the instance is not lag.
    help: 'Time from a revocation\'s append to the log (Redis clock) to its application on this running instance, by source (live pub/sub or replay after a reconnect or resync)',
    labelNames: ['source'],
    buckets: LAG_BUCKETS_SECONDS,
    registers
  })
  feed.onEvent((_event, lagMs, source) => { lag.observe({ source }, lagMs / 1000) })

  new Gauge({
    name: 'rotor_revocation_feed_state',
    help: 'The revocation feed\'s state: 1 for the current one (degraded = revocations from other instances may arrive late)',
    labelNames: ['state'],
    registers,
    collect () {
      const { state } = feed.status()
      for (const s of STATES) this.set({ state: s }, s === state ? 1 : 0)
    }
  })
  new Counter({
    name: 'rotor_revocation_feed_events_total',
    help: 'Revocation events applied from the feed, by source (live pub/sub or replay from the log)',
    labelNames: ['source'],
    registers,
    collect () {
      const { received, replayed } = feed.status()
      this.reset()
      this.inc({ source: 'live' }, received)
      this.inc({ source: 'replay' }, replayed)
    }
  })
}
