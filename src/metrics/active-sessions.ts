// Active sessions: refresh-token families used (created or refreshed) within the idle window, across all instances.
// Counted with Redis HyperLogLogs rather than per-session state: a bucket key is at most 12 KiB whatever the number
// of sessions, and an id added twice counts once, so refreshing a family never counts it again. The estimate has a
// standard error of 0.81 %. Ids are batched in memory and written every few seconds in one pipeline, never on a
// request's path; a failed write drops its batch (the count is an estimate) and never reaches a request.
import { Gauge, type Registry } from 'prom-client'
import type { KeyNames } from '../key-names.js'
import type { RedisClient } from '../sessions/scripts.js'

const HOUR_MS = 3_600_000
/** Buckets per count at most: hourly up to a 7-day idle window, wider beyond it, so one PFCOUNT stays cheap. */
const MAX_BUCKETS = 168
/** A batch this large is written at once instead of at the next tick: bounds memory while Redis is away. */
const MAX_BATCH = 10_000
const IDS_PER_PFADD = 1000

export interface ActiveSessions {
  /** Note that a family was used now. Memory only; never throws, never waits. */
  record (familyId: string): void
  /** Write the batch (one pipeline). Never rejects: failures go to onError. */
  flush (): Promise<void>
  /**
   * Estimated families used within the idle window, reused for cacheMs; writes this instance's batch first.
   * The last known count while Redis cannot answer, undefined if there is none yet. Never rejects.
   */
  count (): Promise<number | undefined>
  /** Stop the timer and write what is left. */
  stop (): Promise<void>
}

/** Bucket width: one hour, widened so that an idle window spans at most MAX_BUCKETS buckets. */
export function bucketHours (idleTtlSeconds: number): number {
  return Math.max(1, Math.ceil(idleTtlSeconds / (MAX_BUCKETS * 3600)))
}

export function createActiveSessions (deps: {
  redis: RedisClient, keys: Pick<KeyNames, 'activeSessions'>, idleTtlSeconds: number, flushIntervalMs: number
  cacheMs: number, nowMs: () => number, onError: (err: Error) => void
}): ActiveSessions {
  const { redis, keys, idleTtlSeconds, flushIntervalMs, cacheMs, nowMs, onError } = deps
  const widthHours = bucketHours(idleTtlSeconds)
  const widthMs = widthHours * HOUR_MS
  // A bucket is read until its last instant leaves the idle window; sliding the TTL on each write covers that.
  const ttlSeconds = idleTtlSeconds + widthHours * 3600
  let pending = new Map<number, Set<string>>()
  let pendingCount = 0
  let cached: { value: number, atMs: number } | undefined
  let counting: Promise<number | undefined> | undefined

  function record (familyId: string): void {
    const bucket = Math.floor(nowMs() / widthMs)
    let ids = pending.get(bucket)
    if (ids === undefined) pending.set(bucket, ids = new Set())
    if (ids.has(familyId)) return
    ids.add(familyId)
    if (++pendingCount >= MAX_BATCH) void flush()
  }

  async function flush (): Promise<void> {
    if (pendingCount === 0) return
    const batch = pending
    pending = new Map()
    pendingCount = 0
    const pipeline = redis.pipeline()
    for (const [bucket, ids] of batch) {
      const key = keys.activeSessions(widthHours, bucket)
      const list = [...ids]
      for (let i = 0; i < list.length; i += IDS_PER_PFADD) pipeline.pfadd(key, ...list.slice(i, i + IDS_PER_PFADD))
      pipeline.expire(key, ttlSeconds)
    }
    try {
      const failed = (await pipeline.exec())?.find(([err]) => err !== null)?.[0]
      if (failed) onError(failed)
    } catch (err) {
      onError(err as Error)
    }
  }

  async function countNow (): Promise<number | undefined> {
    await flush()
    const now = nowMs()
    const names: string[] = []
    for (let b = Math.floor((now - idleTtlSeconds * 1000) / widthMs); b <= Math.floor(now / widthMs); b++) {
      names.push(keys.activeSessions(widthHours, b))
    }
    try {
      cached = { value: await redis.pfcount(...names), atMs: now }
    } catch (err) {
      onError(err as Error)
    }
    return cached?.value
  }

  const timer = setInterval(() => { void flush() }, flushIntervalMs)
  timer.unref()

  return {
    record,
    flush,
    count () {
      if (cached !== undefined && nowMs() - cached.atMs < cacheMs) return Promise.resolve(cached.value)
      // Single flight: concurrent scrapes share one PFCOUNT.
      counting ??= countNow().finally(() => { counting = undefined })
      return counting
    },
    async stop () {
      clearInterval(timer)
      await flush()
    }
  }
}

export function registerActiveSessionsGauge (activeSessions: ActiveSessions, registry: Registry): void {
  new Gauge({
    name: 'rotor_active_sessions',
    help: 'Sessions (refresh-token families) created or refreshed within the idle window, on all instances (HyperLogLog estimate, about 1 % error; do not sum across instances)',
    registers: [registry],
    async collect () {
      const value = await activeSessions.count()
      if (value !== undefined) this.set(value)
    }
  })
}
