// GET /revocations for pollers: the feed as JSON pages. With an id this instance can prove complete from, the events
// after it; without one, or with one too old (or newer than anything here), a snapshot of every revocation in force,
// paged by an opaque cursor, whose last page gives the position to poll from.
import { isEventId, type FeedLog } from './feed-log.js'
import { parseSnapshotCursor, snapshotCursor, snapshotPage } from './feed-snapshot.js'
import type { RevocationList } from './revocation-list.js'

export interface Page {
  events: Array<Record<string, unknown>>
  next: string
  snapshot: boolean
  more: boolean
  /** A snapshot started with this page (for the snapshots metric). */
  snapshotStarted: boolean
}

export function pollPage (log: FeedLog, list: RevocationList, after: string | undefined, limit: number): Page | 'bad-after' {
  const snapshot = (position: string, afterKey: string): Page => {
    const { entries, lastKey } = snapshotPage(list, afterKey, limit)
    return lastKey === undefined
      ? { events: entries, next: position, snapshot: true, more: false, snapshotStarted: afterKey === '' }
      : { events: entries, next: snapshotCursor(position, lastKey), snapshot: true, more: true, snapshotStarted: afterKey === '' }
  }
  if (after === undefined) return snapshot(log.position(), '')
  const cursor = parseSnapshotCursor(after)
  if (cursor !== undefined) {
    // A cursor from an instance further ahead than this one: its position would not be complete here; start afresh.
    const since = log.since(cursor.position, 0)
    return since === 'ahead' ? snapshot(log.position(), '') : snapshot(cursor.position, cursor.key)
  }
  if (!isEventId(after)) return 'bad-after'
  const since = log.since(after, limit)
  if (since === 'too-old' || since === 'ahead') return snapshot(log.position(), '')
  const events = since.entries.map((e) => ({ id: e.id, ...e.event }))
  return { events, next: since.entries[since.entries.length - 1]?.id ?? after, snapshot: false, more: since.more, snapshotStarted: false }
}
