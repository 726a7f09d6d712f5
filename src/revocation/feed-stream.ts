// One subscriber of GET /revocations/stream (Server-Sent Events, WHATWG HTML §9.2). Catching up (a resume from
// Last-Event-ID, or a snapshot) is written at the pace the consumer reads, one chunk at a time; live events are written
// as they come, and a consumer whose unread output passes the per-subscriber bound is disconnected (it resumes with
// Last-Event-ID), so no subscriber is ever buffered without bound.
import type { ServerResponse } from 'node:http'
import type { RevocationList } from './revocation-list.js'
import { compareIds, isEventId, type FeedLog, type LogEntry } from './feed-log.js'
import { snapshotChunks } from './feed-snapshot.js'

export const SNAPSHOT_CHUNK_ENTRIES = 500
export type ServedState = 'live' | 'degraded'

export interface StreamHooks { eventsSent: (n: number) => void, slowConsumer: () => void, snapshotServed: () => void }

export interface StreamOptions {
  log: FeedLog
  list: RevocationList
  /** Unread bytes a subscriber may have queued here before it is disconnected. */
  bufferBytes: number
  /** How long a catch-up write may wait for the consumer to read before it is disconnected. */
  drainTimeoutMs: number
  hooks: StreamHooks
}

export interface Subscriber { send: (text: string) => void, end: () => void }

const eventText = (e: LogEntry): string => `id: ${e.id}\nevent: revocation\ndata: ${JSON.stringify(e.event)}\n\n`
export const statusText = (state: ServedState): string => `event: status\ndata: {"state":"${state}"}\n\n`

class SlowConsumer extends Error {}

export function openStream (res: ServerResponse, after: string | undefined, options: StreamOptions, onClosed: () => void): Subscriber {
  const { log, list, bufferBytes, drainTimeoutMs, hooks } = options
  let live = false
  let sentId = '0-0'
  let closed = false

  const drop = (): void => {
    if (closed) return
    closed = true // at once: the close event comes a tick later, and nothing more may be counted or written
    hooks.slowConsumer()
    res.destroy()
  }
  /** A write that never lets this subscriber's unread output pass the bound. */
  const send = (text: string): void => {
    if (closed) return
    if (res.writableLength + Buffer.byteLength(text) > bufferBytes) { drop(); return }
    res.write(text)
  }
  /** A catch-up write: waits for the consumer to read when Node's buffer is full. */
  const put = async (text: string): Promise<void> => {
    if (closed) throw new SlowConsumer()
    if (res.write(text)) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { cleanup(); drop(); reject(new SlowConsumer()) }, drainTimeoutMs)
      const done = (): void => { cleanup(); if (closed) reject(new SlowConsumer()); else resolve() }
      const cleanup = (): void => { clearTimeout(timer); res.off('drain', done); res.off('close', done) }
      res.on('drain', done)
      res.on('close', done)
    })
  }

  const onEntry = (entry: LogEntry): void => {
    if (!live || compareIds(entry.id, sentId) <= 0) return
    send(eventText(entry))
    sentId = entry.id
    hooks.eventsSent(1)
  }
  const unsubscribe = log.onAppend(onEntry)
  res.on('close', () => { closed = true; unsubscribe(); onClosed() })

  async function snapshot (): Promise<void> {
    const position = log.position()
    let count = 0
    for (const entries of snapshotChunks(list, SNAPSHOT_CHUNK_ENTRIES)) {
      await put(`event: snapshot\ndata: ${JSON.stringify({ entries })}\n\n`)
      count += entries.length
    }
    await put(`id: ${position}\nevent: snapshot-end\ndata: {"count":${count}}\n\n`)
    sentId = position
    hooks.snapshotServed()
  }

  /** Every retained event after sentId, then live: the switch happens in the tick that found nothing more. */
  async function catchUp (): Promise<void> {
    if (after === undefined || !isEventId(after)) await snapshot()
    else sentId = after
    for (;;) {
      const page = log.since(sentId, SNAPSHOT_CHUNK_ENTRIES)
      // Older than the ring (evicted meanwhile, or never held), or newer than anything here: complete state instead.
      if (page === 'too-old' || page === 'ahead') { await snapshot(); continue }
      if (page.entries.length === 0) { live = true; return }
      await put(page.entries.map(eventText).join(''))
      sentId = page.entries[page.entries.length - 1]!.id
      hooks.eventsSent(page.entries.length)
    }
  }

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no', // nginx: pass events through as they are written
    Connection: 'keep-alive'
  })
  res.write('retry: 1000\n\n')
  catchUp().catch(() => { /* disconnected: the consumer resumes with its Last-Event-ID */ })
  return {
    send,
    end: () => { if (!closed) res.end() }
  }
}
