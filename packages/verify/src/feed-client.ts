// Subscriber of Rotor's revocation feed (GET /revocations/stream, Server-Sent Events; docs/revocation-feed.md):
// Bearer credential, resume with Last-Event-ID, snapshot then live events, heartbeat timeout, reconnect with
// jittered backoff that honours the server's `retry:` (WHATWG HTML §9.2) and a 503's Retry-After.
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import type { Fetch } from './http.js'
import type { FeedState, MetricHook } from './metrics.js'
import { parseFeedEvent, type FeedEvent } from './revocation-list.js'

export interface FeedClientOptions {
  url: string
  credential?: string
  fetch: Fetch
  /** The server's heartbeat interval; nothing received for 2.5 times it and the connection is declared dead. */
  heartbeatSeconds: number
  maxBackoffMs: number
  nowMs: () => number
  apply: (event: FeedEvent) => void
  onState: (state: FeedState) => void
  onMetric: MetricHook
}

export interface FeedClient {
  lastEventId (): string | undefined
  lastContactMs (): number | undefined
  lagMs (): number | undefined
  lastError (): string | undefined
  close (): Promise<void>
}

/** An SSE message is bounded: a snapshot chunk of 500 entries is tens of kilobytes. */
const MAX_MESSAGE_CHARS = 4 * 1024 * 1024

export function createFeedClient (options: FeedClientOptions): FeedClient {
  const { url, credential, heartbeatSeconds, maxBackoffMs, nowMs, apply, onState, onMetric } = options
  let lastEventId: string | undefined
  let lastContact: number | undefined
  let lag: number | undefined
  let error: string | undefined
  let retryMs = 1000
  let failures = 0
  let closed = false
  let controller: AbortController | undefined
  let wake: () => void = () => undefined

  const onMessage = (message: EventSourceMessage): void => {
    let data: unknown
    try { data = JSON.parse(message.data) } catch { return }
    if (message.event === 'revocation') {
      const event = parseFeedEvent(data)
      if (event !== undefined) {
        apply(event)
        lag = Math.max(0, nowMs() - event.atMs)
        onMetric({ name: 'feed_event', kind: event.kind, snapshot: false })
      }
      if (message.id !== undefined && message.id !== '') lastEventId = message.id
    } else if (message.event === 'snapshot') {
      const entries = (data as { entries?: unknown } | null)?.entries
      for (const entry of Array.isArray(entries) ? entries : []) {
        const event = parseFeedEvent(entry)
        if (event !== undefined) { apply(event); onMetric({ name: 'feed_event', kind: event.kind, snapshot: true }) }
      }
    } else if (message.event === 'snapshot-end') {
      // The position the snapshot is complete up to: resuming from it misses nothing.
      if (message.id !== undefined && message.id !== '') lastEventId = message.id
      onMetric({ name: 'feed_snapshot', entries: Number((data as { count?: unknown } | null)?.count ?? 0) })
      onState('live')
    } else if (message.event === 'status') {
      const state = (data as { state?: unknown } | null)?.state
      if (state === 'live' || state === 'degraded') onState(state)
    }
  }

  const connect = async (): Promise<void> => {
    controller = new AbortController()
    const signal = controller.signal
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' }
    if (credential !== undefined) headers.authorization = `Bearer ${credential}`
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
    // Every wait below also ends when the signal aborts (close, heartbeat timeout), whatever the HTTP client does
    // with the signal once a response has begun: an abort that only reached the socket could leave close() waiting.
    const aborted = new Promise<never>((_resolve, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
    })
    aborted.catch(() => undefined) // observed by whichever race is waiting
    const res = await Promise.race([options.fetch(url, { headers, signal, redirect: 'error' }), aborted])
    if (res.status !== 200 || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      const retryAfter = Number(res.headers.get('retry-after'))
      await res.body?.cancel().catch(() => undefined)
      throw Object.assign(new Error(`the feed answered ${res.status}`), { retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : 0 })
    }
    if (res.body === null) throw new Error('the feed sent no body')
    lastContact = nowMs()
    error = undefined
    // A resumed stream continues from our position at once; without one, we are live only after the snapshot.
    if (lastEventId !== undefined) onState('live')
    const parser = createParser({
      onEvent: onMessage,
      onRetry: (ms) => { if (ms >= 0) retryMs = ms },
      onComment: () => undefined,
      maxBufferSize: MAX_MESSAGE_CHARS
    } as Parameters<typeof createParser>[0])
    const deadline = heartbeatSeconds * 2500
    const watchdog = setInterval(() => {
      if (nowMs() - (lastContact ?? 0) > deadline) controller?.abort(new Error('heartbeat timeout'))
    }, Math.min(1000, deadline / 4))
    watchdog.unref()
    const decoder = new TextDecoder()
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    try {
      for (;;) {
        const { done, value: chunk } = await Promise.race([reader.read(), aborted])
        if (done) break
        lastContact = nowMs()
        failures = 0
        parser.feed(decoder.decode(chunk, { stream: true }))
      }
      throw new Error('the feed closed the stream')
    } finally {
      clearInterval(watchdog)
      reader.cancel().catch(() => undefined) // not awaited: it may wait on the very socket that stopped answering
    }
  }

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref() // an open server keeps the process alive; a verifier alone must not
    wake = () => { clearTimeout(timer); resolve() }
  })

  const run = async (): Promise<void> => {
    while (!closed) {
      let retryAfterMs = 0
      try {
        await connect()
      } catch (err) {
        if (closed) break
        const reason = controller?.signal.aborted === true ? controller.signal.reason : err
        error = reason instanceof Error ? reason.message : String(reason)
        retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs ?? 0
      }
      if (closed) break
      onState('degraded')
      failures++
      onMetric({ name: 'feed_reconnect', cause: error ?? 'unknown' })
      // Full jitter over an exponential backoff from the server's retry: subscribers cut at once do not return at once.
      const backoff = Math.min(maxBackoffMs, retryMs * 2 ** Math.min(failures - 1, 10))
      await sleep(Math.max(retryAfterMs, backoff / 2 + Math.random() * backoff / 2))
    }
  }

  const running = run()
  return {
    lastEventId: () => lastEventId,
    lastContactMs: () => lastContact,
    lagMs: () => lag,
    lastError: () => error,
    async close () {
      closed = true
      controller?.abort(new Error('closed'))
      wake()
      await running
    }
  }
}
