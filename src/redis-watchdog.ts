// ioredis gives up on a connection for good in one case that matters here: a Sentinel client disconnected while it
// asks the Sentinels for the primary (its failover detector does that on +switch-master, and a READONLY reply does it
// through reconnectOnError) rejects its own connect with "Connection is closed." and ends: status 'end', no retry,
// every command failing until the process restarts. After an unplanned failover that is a race every instance may
// lose. The watchdog re-drives such a connection, and one whose connection attempt stalls, so an instance always
// recovers by itself: at once (after a short back-off) from 'end', and after `stuckMs` from an attempt that never
// gets ready. Closing the client on purpose (quit, disconnect) stops the watchdog first.
import type { Redis } from 'ioredis'

const CHECK_INTERVAL_MS = 1000
const redriveDelayMs = (attempt: number): number => Math.min(attempt * 100, 2000)

export interface WatchdogOptions {
  /** How long a connection attempt may go without reaching 'ready' before it is torn down and started again. */
  stuckMs: number
  /** Called each time the watchdog re-drives the client (for the log). */
  onRedrive?: (why: 'ended' | 'stuck') => void
}

/** Watch a client (a plain or Sentinel ioredis connection) until quit() or disconnect() is called on it. */
export function watchConnection (client: Redis, options: WatchdogOptions): void {
  let stopped = false
  let attempt = 0
  let pending: NodeJS.Timeout | undefined
  let progressAtMs = Date.now()

  const redrive = (why: 'ended' | 'stuck') => {
    if (stopped || pending !== undefined) return
    pending = setTimeout(() => {
      pending = undefined
      if (stopped || client.status !== 'end') return
      options.onRedrive?.(why)
      client.connect().catch(() => undefined)
    }, redriveDelayMs(++attempt))
  }
  const onEnd = () => redrive('ended')
  const onReady = () => { attempt = 0; progressAtMs = Date.now() }
  const onReconnecting = () => { progressAtMs = Date.now() }
  client.on('end', onEnd)
  client.on('ready', onReady)
  // ioredis's own retry loop passes through 'reconnecting' on each attempt: that is progress, not a stall.
  client.on('reconnecting', onReconnecting)

  const timer = setInterval(() => {
    if (client.status === 'ready') { progressAtMs = Date.now(); return }
    if (client.status === 'end') { redrive('ended'); return }
    if (Date.now() - progressAtMs < options.stuckMs) return
    progressAtMs = Date.now()
    options.onRedrive?.('stuck')
    // Tears the attempt down; ioredis reconnects (plain) or ends (Sentinel lookup), and 'end' is re-driven above.
    client.disconnect(true)
  }, CHECK_INTERVAL_MS)
  timer.unref()

  const stop = () => {
    stopped = true
    clearInterval(timer)
    clearTimeout(pending)
    client.removeListener('end', onEnd)
    client.removeListener('ready', onReady)
    client.removeListener('reconnecting', onReconnecting)
  }
  const disconnect = client.disconnect.bind(client)
  const quit = client.quit.bind(client)
  Object.assign(client, {
    // ioredis itself calls disconnect(true) to reconnect: only a disconnect for good stops the watchdog.
    disconnect (reconnect = false) { if (!reconnect) stop(); disconnect(reconnect) },
    quit (...args: Parameters<Redis['quit']>) { stop(); return quit(...args) }
  })
}
