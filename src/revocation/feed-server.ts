// Serves the revocation feed to other services from what this instance already holds (its feed log ring and its
// revocation list): no Redis connection or command per subscriber. Holds the subscribers, the per-instance cap, one
// heartbeat timer for all of them, and tells them when this instance's own feed stops or resumes being live.
import type { ServerResponse } from 'node:http'
import type { FeedStatus } from './revocation-feed.js'
import type { RevocationList } from './revocation-list.js'
import type { FeedLog } from './feed-log.js'
import { openStream, statusText, type ServedState, type StreamHooks, type Subscriber } from './feed-stream.js'

/** How often the instance's own feed state is looked at, to tell connected subscribers of a change. */
const STATE_CHECK_MS = 500

export interface FeedServer {
  /** Why a new subscriber is refused, if it is: 'full' (cap reached) or 'not-live' (this instance is not caught up). */
  refusal (): 'full' | 'not-live' | undefined
  open (res: ServerResponse, lastEventId: string | undefined): void
  servedState (): ServedState
  subscribers (): number
  /** End every stream (shutdown): subscribers reconnect elsewhere with their Last-Event-ID. */
  close (): void
}

export function servedStateOf (status: FeedStatus): ServedState {
  return status.caughtUp && status.state === 'live' ? 'live' : 'degraded'
}

export function createFeedServer (deps: {
  log: FeedLog, list: RevocationList, status: () => FeedStatus, maxSubscribers: number, heartbeatSeconds: number
  bufferBytes: number, hooks: StreamHooks, nowMs: () => number
}): FeedServer {
  const { log, list, status, maxSubscribers, heartbeatSeconds, bufferBytes, hooks, nowMs } = deps
  const subscribers = new Set<Subscriber>()
  let state = servedStateOf(status())
  const heartbeat = setInterval(() => {
    const text = `: hb ${nowMs()}\n\n`
    for (const s of subscribers) s.send(text)
  }, heartbeatSeconds * 1000)
  heartbeat.unref()
  const stateCheck = setInterval(() => {
    const now = servedStateOf(status())
    if (now === state) return
    state = now
    for (const s of subscribers) s.send(statusText(now))
  }, STATE_CHECK_MS)
  stateCheck.unref()

  return {
    refusal () {
      if (subscribers.size >= maxSubscribers) return 'full'
      return servedStateOf(status()) === 'live' ? undefined : 'not-live'
    },
    open (res, lastEventId) {
      // A consumer that reads nothing for as long as a subscriber waits before declaring the connection dead is gone.
      const drainTimeoutMs = heartbeatSeconds * 2500
      const subscriber = openStream(res, lastEventId, { log, list, bufferBytes, drainTimeoutMs, hooks }, () => { subscribers.delete(subscriber) })
      subscribers.add(subscriber)
    },
    servedState: () => state,
    subscribers: () => subscribers.size,
    close () {
      clearInterval(heartbeat)
      clearInterval(stateCheck)
      for (const s of subscribers) s.end()
    }
  }
}
