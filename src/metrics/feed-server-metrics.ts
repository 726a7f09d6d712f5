// The revocation feed served to other services, as metrics: connected subscribers, events sent, slow consumers
// disconnected, snapshots served (a burst of snapshots after a deploy is expected; a steady rate means subscribers
// keep falling behind the in-memory buffer).
import { Counter, Gauge, type Registry } from 'prom-client'
import type { StreamHooks } from '../revocation/feed-stream.js'

export function createFeedServerMetrics (registry: Registry, subscribers: () => number): StreamHooks & { pollSnapshot: () => void } {
  const registers = [registry]
  new Gauge({
    name: 'rotor_revocation_stream_subscribers',
    help: 'Services connected to GET /revocations/stream on this instance',
    registers,
    collect () { this.set(subscribers()) }
  })
  const sent = new Counter({ name: 'rotor_revocation_stream_events_sent_total', help: 'Revocation events written to stream subscribers (live and resumed)', registers })
  const slow = new Counter({
    name: 'rotor_revocation_stream_slow_consumer_disconnects_total',
    help: 'Stream subscribers disconnected because their unread output reached REVOCATION_FEED_SUBSCRIBER_BUFFER_BYTES or they stopped reading',
    registers
  })
  const snapshots = new Counter({
    name: 'rotor_revocation_feed_snapshots_total',
    help: 'Snapshots of every revocation in force served, by transport (stream, or poll for the first page of one)',
    labelNames: ['transport'],
    registers
  })
  return {
    eventsSent: (n) => { sent.inc(n) },
    slowConsumer: () => { slow.inc() },
    snapshotServed: () => { snapshots.inc({ transport: 'stream' }) },
    pollSnapshot: () => { snapshots.inc({ transport: 'poll' }) }
  }
}
