// Snapshots: every revocation still in force (user version floors, dead sessions younger than one access-token lifetime
// plus leeway), for a subscriber whose position this instance cannot prove complete. Entries only ever add
// revocations, so a subscriber merges a snapshot into what it holds; nothing it knew is undone by one.
import type { RevocationList } from './revocation-list.js'
import { isEventId, type WireEvent } from './feed-log.js'

/** Walks the list lazily in chunks (a large list is never copied whole per subscriber). */
export function * snapshotChunks (list: RevocationList, size: number): Generator<WireEvent[]> {
  let chunk: WireEvent[] = []
  // entries() yields fresh objects in the public shape, only the contract's fields: sent as they are.
  for (const event of list.entries()) {
    chunk.push(event)
    if (chunk.length === size) { yield chunk; chunk = [] }
  }
  if (chunk.length > 0) yield chunk
}

const keyOf = (e: WireEvent): string => e.kind === 'user' ? `u:${e.userId}` : `s:${e.sessionId}`

/**
 * A paged snapshot for pollers: entries in key order after `afterKey`. The order is by key, not by the list's
 * insertion order, so that entries pruned between two pages cannot shift an unseen one into a page already served.
 * Costs one pass over the list per page; snapshots are rare (a poller's first call, or after a long absence).
 */
export function snapshotPage (list: RevocationList, afterKey: string, limit: number): { entries: WireEvent[], lastKey?: string } {
  const candidates: Array<[string, WireEvent]> = []
  for (const event of list.entries()) {
    const key = keyOf(event)
    if (key > afterKey) candidates.push([key, event])
  }
  candidates.sort((a, b) => (a[0] < b[0] ? -1 : 1))
  const page = candidates.slice(0, limit)
  return { entries: page.map(([, e]) => e), lastKey: candidates.length > limit ? page[page.length - 1]?.[0] : undefined }
}

/** The `next` of a snapshot page that has a successor: "s.<position>.<key>", passed back as `after`. */
export function snapshotCursor (position: string, key: string): string {
  return `s.${position}.${Buffer.from(key).toString('base64url')}`
}

export function parseSnapshotCursor (value: string): { position: string, key: string } | undefined {
  const match = /^s\.([0-9]{1,16}-[0-9]{1,16})\.([A-Za-z0-9_-]{1,1400})$/.exec(value)
  if (match === null || !isEventId(match[1]!)) return undefined
  return { position: match[1]!, key: Buffer.from(match[2]!, 'base64url').toString() }
}
