// What the clients of each region saw, for people: the timeline of `npm run demo:regions`, one line per second per
// region (answers counted by status, the median refresh), runs of seconds where every call succeeded folded into one,
// and the events between them; plus the per-region totals the demo and bench:regions close with.
import { median } from '../../bench/stats.js'
import type { Call, Timeline } from './region-scenario.js'

const REGION_COUNT = 3

const succeeded = (c: Call): boolean => c.status >= 200 && c.status < 300
const outcome = (c: Call): string => c.status === 0 ? 'no answer' : c.error === undefined ? String(c.status) : `${c.status} ${c.error}`

/** "12×200 3×503 (refresh 85 ms)" for one region's calls in one bucket. */
function describe (calls: Call[]): string {
  if (calls.length === 0) return 'no calls'
  const counts = new Map<string, number>()
  for (const c of calls) counts.set(outcome(c), (counts.get(outcome(c)) ?? 0) + 1)
  const refreshes = calls.filter((c) => c.what === 'POST /auth/refresh' && c.status === 200).map((c) => c.ms)
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([what, n]) => `${n}×${what}`)
  return `${parts.join(' ')}${refreshes.length === 0 ? '' : ` (refresh ${median(refreshes)} ms)`}`
}

const at = (ms: number) => `+${(ms / 1000).toFixed(1).padStart(5)} s`

export function formatTimeline (timeline: Timeline, bucketMs = 1000): string {
  const lines: string[] = []
  const end = Math.max(0, ...timeline.calls.map((c) => c.atMs), ...timeline.events.map((e) => e.atMs))
  const events = [...timeline.events].sort((a, b) => a.atMs - b.atMs)
  let quietSince: number | undefined
  let quietCalls: Call[] = []
  const flushQuiet = (untilMs: number) => {
    if (quietSince === undefined) return
    const perRegion = Array.from({ length: REGION_COUNT }, (_, i) => `region ${i + 1}: ${describe(quietCalls.filter((c) => c.region === i + 1))}`)
    lines.push(`${at(quietSince)} … +${(untilMs / 1000).toFixed(1)} s  every call answered 2xx · ${perRegion.join(' │ ')}`)
    quietSince = undefined
    quietCalls = []
  }
  for (let start = 0; start <= end; start += bucketMs) {
    const calls = timeline.calls.filter((c) => c.atMs >= start && c.atMs < start + bucketMs)
    if (calls.length > 0 && calls.every(succeeded)) {
      quietSince ??= start
      quietCalls.push(...calls)
    } else if (calls.length > 0) {
      flushQuiet(start)
      const perRegion = Array.from({ length: REGION_COUNT }, (_, i) => `region ${i + 1}: ${describe(calls.filter((c) => c.region === i + 1))}`)
      lines.push(`${at(start)}  ${perRegion.join(' │ ')}`)
    }
    // An event closes its second: what the clients saw up to it, then the event.
    if (events.length > 0 && events[0]!.atMs < start + bucketMs) flushQuiet(start + bucketMs)
    while (events.length > 0 && events[0]!.atMs < start + bucketMs) lines.push(`${at(events[0]!.atMs)}  ** ${events.shift()!.text}`)
  }
  flushQuiet(end)
  return lines.join('\n')
}

/** ok: answered 2xx. */
export interface RegionTotals { region: number, calls: number, ok: number, retried503: number, noAnswer: number, other: Record<string, number> }

/** Per region of the client: calls, 200s, 503s with Retry-After the clients retried, no answer, everything else. */
export function totals (timeline: Timeline): RegionTotals[] {
  return Array.from({ length: REGION_COUNT }, (_, i) => {
    const calls = timeline.calls.filter((c) => c.region === i + 1)
    const other: Record<string, number> = {}
    for (const c of calls) if (!succeeded(c) && c.status !== 503 && c.status !== 0) other[outcome(c)] = (other[outcome(c)] ?? 0) + 1
    return {
      region: i + 1,
      calls: calls.length,
      ok: calls.filter(succeeded).length,
      retried503: calls.filter((c) => c.status === 503).length,
      noAnswer: calls.filter((c) => c.status === 0).length,
      other
    }
  })
}

export function formatTotals (rows: RegionTotals[]): string {
  return rows.map((r) => {
    const other = Object.entries(r.other).map(([what, n]) => `${n}×${what}`).join(', ')
    return `clients of region ${r.region}: ${r.calls} calls, ${r.ok} answered 2xx, ${r.retried503} answered 503 with Retry-After ` +
      `(retried), ${r.noAnswer} unanswered, ${other === '' ? 'nothing else' : other}`
  }).join('\n')
}
