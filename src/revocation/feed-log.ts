// The revocation log as other services see it: the events this instance applied, in log order, in a bounded ring
// (REVOCATION_FEED_BUFFER_EVENTS) so that a subscriber that reconnects with the id it last saw is sent only what it
// missed. Ids are the Redis Stream ids "<ms>-<seq>", the same on every instance of a deployment. Once an event has been
// evicted, a subscriber whose id is older cannot be proven complete from here: it gets a snapshot instead.
import { toFeedEvent, type FeedEvent, type LogEvent } from './revocation-list.js'

/**
 * An event on the wire: user id, session id (the sid claim, i.e. the family id) or version floor, time; no email, no
 * token. The same type as @rotor/verify's FeedEvent: the package parses what we send.
 */
export type WireEvent = FeedEvent

export interface LogEntry { id: string, event: WireEvent }

const ID = /^([0-9]{1,16})-([0-9]{1,16})$/

export function isEventId (value: string): boolean {
  return ID.test(value)
}

/** Stream ids compare numerically: ms first, then the sequence. */
export function compareIds (a: string, b: string): number {
  const [, am = '0', as = '0'] = ID.exec(a) ?? []
  const [, bm = '0', bs = '0'] = ID.exec(b) ?? []
  return Number(am) - Number(bm) || Number(as) - Number(bs)
}

/** Only the fields of the contract, whatever else an event carried. */
export const toWire: (event: LogEvent) => WireEvent = toFeedEvent

export type Since = { entries: LogEntry[], more: boolean } | 'too-old' | 'ahead'

export interface FeedLog {
  append (id: string, event: LogEvent): void
  /** Newest id applied and served; '0-0' before the first. Resuming from it misses nothing. */
  position (): string
  /** Entries after `after` (at most `limit`); 'too-old' when some may have been evicted, 'ahead' when newer than position. */
  since (after: string, limit: number): Since
  onAppend (listener: (entry: LogEntry) => void): () => void
  size (): number
}

export function createFeedLog (capacity: number): FeedLog {
  const ring: LogEntry[] = new Array<LogEntry>(capacity)
  let start = 0
  let count = 0
  let position = '0-0'
  // Newest id evicted: everything after it is held. Before any eviction, everything since boot is held, and what the
  // log had trimmed before it was older than any access token, so no longer in force.
  let floor = '0-0'
  const listeners = new Set<(entry: LogEntry) => void>()
  const at = (i: number): LogEntry => ring[(start + i) % capacity]!

  return {
    append (id, event) {
      if (compareIds(id, position) <= 0) return // the feed serves each id once, in order; kept as a guard
      const entry = { id, event: toWire(event) }
      if (count === capacity) {
        floor = at(0).id
        ring[start] = entry
        start = (start + 1) % capacity
      } else {
        ring[(start + count) % capacity] = entry
        count++
      }
      position = id
      for (const listener of listeners) listener(entry)
    },
    position: () => position,
    since (after, limit) {
      if (compareIds(after, position) > 0) return 'ahead'
      if (compareIds(after, floor) < 0) return 'too-old'
      let lo = 0
      let hi = count
      while (lo < hi) { // first entry newer than `after`
        const mid = (lo + hi) >> 1
        if (compareIds(at(mid).id, after) <= 0) lo = mid + 1
        else hi = mid
      }
      const end = Math.min(count, lo + limit)
      const entries: LogEntry[] = []
      for (let i = lo; i < end; i++) entries.push(at(i))
      return { entries, more: end < count }
    },
    onAppend (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    size: () => count
  }
}
