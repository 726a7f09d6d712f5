// Revocations pushed to every instance: a Redis Stream as the bounded log, pub/sub for the push. A subscriber that
// (re)connects replays the log from the last id it applied, and a periodic resync closes any gap pub/sub might leave,
// so an instance that missed messages catches up. While the subscriber is down the feed reports 'degraded'.
import type { RedisSubscriber } from '../redis-client.js'
import { NotReplicatedError } from '../redis-errors.js'
import { NO_DURABILITY, type DurabilityPolicy } from '../redis-durability.js'
import { defineScripts, runScriptDurably, type RedisClient } from '../sessions/scripts.js'
import type { LogEvent, RevocationEvent, RevocationList } from './revocation-list.js'

export type FeedState = 'starting' | 'live' | 'degraded'

export interface FeedStatus {
  state: FeedState
  /** Milliseconds between an event's append (Redis clock) and its arrival here, for the latest event. */
  lastLagMs: number | null
  received: number
  replayed: number
  /**
   * Whether the log has been replayed once since this instance started. Until then it may accept access tokens
   * revoked before it booted (e.g. it booted while Redis was unreachable), so it must not report ready.
   */
  caughtUp: boolean
}

export interface RevocationFeed {
  /** Append, broadcast and apply locally. Rejects when Redis is unavailable: callers fail closed (503). */
  publish (event: RevocationEvent): Promise<void>
  start (): Promise<void>
  stop (): void
  status (): FeedStatus
  /** Replay the log from the last applied id (also run on every reconnect and every resync interval). */
  catchUp (): Promise<void>
  /** `source`: 'live' for a pub/sub message, 'replay' for an entry read back from the log. */
  onEvent (listener: (event: LogEvent, lagMs: number, source: EventSource) => void): void
  /**
   * The log as served to other services (revocation-stream.ts): each entry once, in strictly increasing id order.
   * A live message heard while a replay runs or the feed is not live is held back for the replay to deliver in order.
   */
  onLogEntry (listener: (id: string, event: LogEvent) => void): void
}

export type EventSource = 'live' | 'replay'

const REPLAY_BATCH = 1000
// After a failover the subscriber may be back before the command connection: its replay is retried this soon rather
// than at the next resync, so the feed is caught up (and 'live') within moments of both reconnecting.
const REPLAY_RETRY_MS = 250

/**
 * Append a revocation to the log and broadcast it (one script), waiting for a replica to hold the entry like any
 * revocation (an instance that boots after a failover replays only what the new primary has). Also used by the CLI.
 */
export async function publishRevocation (redis: RedisClient, log: { logKey: string, channel: string, retentionMs: number }, event: RevocationEvent,
  durability: DurabilityPolicy = NO_DURABILITY): Promise<void> {
  defineScripts(redis)
  await runScriptDurably(redis, 'publish-revocation', [log.logKey], [log.channel, JSON.stringify(event), log.retentionMs],
    await durability.forWrite('revoke', log.logKey))
}

/** Stream ids are "<ms>-<seq>"; compare numerically. */
function newer (a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number)
  const [bm = 0, bs = 0] = b.split('-').map(Number)
  return am > bm || (am === bm && as > bs)
}

export function createRevocationFeed (deps: {
  redis: RedisClient, subscriber: Pick<RedisSubscriber, 'status' | 'subscribe' | 'on'>, logKey: string, channel: string, list: RevocationList
  retentionMs: number, resyncIntervalMs: number, onError: (err: Error) => void, durability?: DurabilityPolicy
}): RevocationFeed {
  const { redis, subscriber, logKey, channel, list, retentionMs, resyncIntervalMs, onError, durability } = deps
  let state: FeedState = 'starting'
  let lastId = '0-0'
  let lastLagMs: number | null = null
  let received = 0
  let replayed = 0
  let caughtUp = false
  let timer: NodeJS.Timeout | undefined
  let retry: NodeJS.Timeout | undefined
  let stopped = false
  const listeners: Array<(event: LogEvent, lagMs: number, source: EventSource) => void> = []
  const logListeners: Array<(id: string, event: LogEvent) => void> = []
  let servedId = '0-0' // newest id handed to logListeners; replays start after it, so none is skipped
  let heldBack = false

  function apply (id: string, payload: string, source: EventSource): boolean {
    let event: LogEvent
    try { event = JSON.parse(payload) as LogEvent } catch { return false }
    list.apply(event)
    if (newer(id, lastId)) lastId = id
    lastLagMs = Math.max(0, Date.now() - Number(id.split('-')[0]))
    for (const listener of listeners) listener(event, lastLagMs, source)
    if (source === 'live' && (running !== undefined || state !== 'live')) heldBack = true
    else serve(id, event)
    return true
  }

  /**
   * An entry older than the newest applied one: normally a live message held back, now served in its place in the
   * log. Applied again (idempotent), in case pub/sub had skipped it while a newer one arrived.
   */
  function served (id: string, payload: string): void {
    let event: LogEvent
    try { event = JSON.parse(payload) as LogEvent } catch { return }
    list.apply(event)
    serve(id, event)
  }

  function serve (id: string, event: LogEvent): void {
    if (!newer(id, servedId)) return
    servedId = id
    for (const listener of logListeners) listener(id, event)
  }

  // Single flight: a catch-up asked for while one runs is done once more right after it, from the new last id.
  let running: Promise<void> | undefined
  let again = false
  function catchUp (): Promise<void> {
    if (running !== undefined) { again = true; return running }
    running = replay().finally(() => {
      running = undefined
      if (again || (heldBack && state === 'live')) { again = false; heldBack = false; void catchUp() }
    })
    return running
  }

  async function replay (): Promise<void> {
    try {
      for (;;) {
        const from = newer(lastId, servedId) ? servedId : lastId
        const start = from === '0-0' ? '-' : `(${from}`
        const entries = await redis.xrange(logKey, start, '+', 'COUNT', REPLAY_BATCH)
        for (const [id, fields] of entries) {
          if (newer(id, lastId)) { if (apply(id, fields[1] ?? '', 'replay')) replayed++ } else served(id, fields[1] ?? '')
        }
        if (entries.length < REPLAY_BATCH) break
      }
      caughtUp = true
      state = subscriber.status === 'ready' ? 'live' : 'degraded'
    } catch (err) {
      state = 'degraded'
      onError(err as Error)
      if (subscriber.status === 'ready' && !stopped && retry === undefined) {
        retry = setTimeout(() => { retry = undefined; void catchUp() }, REPLAY_RETRY_MS)
        retry.unref()
      }
    }
  }

  subscriber.on('message', (ch: string, message: string) => {
    if (ch !== channel) return
    const space = message.indexOf(' ')
    if (space > 0 && apply(message.slice(0, space), message.slice(space + 1), 'live')) received++
  })
  // Subscribe then replay on every (re)connect: anything published in between is in the log.
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(catchUp, (err: Error) => { state = 'degraded'; onError(err) })
  })
  subscriber.on('close', () => { if (state !== 'starting') state = 'degraded' })

  return {
    async publish (event) {
      try {
        await publishRevocation(redis, { logKey, channel, retentionMs }, event, durability)
      } catch (err) {
        // Logged and broadcast on the primary, only its replication in doubt: this instance knows it at once too.
        if (err instanceof NotReplicatedError) list.apply(event)
        throw err
      }
      list.apply(event)
    },
    async start () {
      if (subscriber.status === 'ready') {
        await subscriber.subscribe(channel)
        await catchUp()
      } else {
        state = 'degraded'
      }
      timer = setInterval(() => { list.prune(); void catchUp() }, resyncIntervalMs)
      timer.unref()
    },
    stop () {
      stopped = true
      clearInterval(timer)
      clearTimeout(retry)
    },
    status: () => ({ state, lastLagMs, received, replayed, caughtUp }),
    catchUp,
    onEvent (listener) { listeners.push(listener) },
    onLogEntry (listener) { logListeners.push(listener) }
  }
}
