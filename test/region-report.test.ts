// The timeline `npm run demo:regions` prints (scripts/regions/region-report.ts): seconds where every call succeeded
// fold into one line, a second with anything else gets its own line per region, an event closes its second, and the
// totals count 503s apart from real failures such as invalid_grant.
import t from 'tap'
import { percentile } from '../bench/stats.js'
import { formatTimeline, formatTotals, totals } from '../scripts/regions/region-report.js'
import type { Call, Timeline } from '../scripts/regions/region-scenario.js'

const call = (atMs: number, region: number, status: number, what = 'GET /me', error?: string, ms = 5): Call =>
  ({ atMs, client: `r${region}-a`, region, via: region, what, status, error, ms })

function timeline (): Timeline {
  return {
    startMs: 0,
    calls: [
      call(100, 1, 200), call(200, 2, 200), call(300, 3, 200, 'POST /auth/refresh', undefined, 12),
      call(1100, 1, 204, 'POST /auth/logout-all'), call(1200, 2, 200), call(1300, 3, 200),
      call(2100, 1, 503, 'POST /auth/refresh', 'temporarily_unavailable'), call(2200, 1, 200), call(2300, 2, 200),
      call(3100, 1, 400, 'POST /auth/refresh', 'invalid_grant'), call(3200, 1, 0), call(3300, 3, 200)
    ],
    events: [{ atMs: 1500, text: 'region 1 cut off' }]
  }
}

t.test('seconds where every call succeeded fold into one line, closed by the event that follows them', async (t) => {
  const lines = formatTimeline(timeline()).split('\n')
  t.match(lines[0], /^\+ {2}0\.0 s … \+2\.0 s {2}every call answered 2xx · region 1: 1×200 1×204 │ region 2: 2×200 │ region 3: 2×200 \(refresh 12 ms\)$/,
    'seconds 0 and 1 (a 204 is a success) in one line, up to the event')
  t.match(lines[1], /^\+ {2}1\.5 s {2}\*\* region 1 cut off$/, 'then the event')
  t.match(lines[2], /^\+ {2}2\.0 s {2}region 1: 1×200 1×503 temporarily_unavailable │ region 2: 1×200 │ region 3: no calls$/, 'a 503 second on its own')
  t.match(lines[3], /^\+ {2}3\.0 s {2}region 1: 1×400 invalid_grant 1×no answer │ region 2: no calls │ region 3: 1×200$/, 'failures named by code')
  t.equal(lines.length, 4, 'nothing else')
})

t.test('totals keep retried 503s and unanswered calls apart from real failures', async (t) => {
  const [region1, region2] = totals(timeline())
  t.same(region1, { region: 1, calls: 6, ok: 3, retried503: 1, noAnswer: 1, other: { '400 invalid_grant': 1 } })
  t.same(region2, { region: 2, calls: 3, ok: 3, retried503: 0, noAnswer: 0, other: {} })
  t.match(formatTotals(totals(timeline())), /clients of region 2: 3 calls, 3 answered 2xx, 0 answered 503 with Retry-After \(retried\), 0 unanswered, nothing else/)
})

t.test('percentiles are samples, never interpolated', async (t) => {
  t.equal(percentile([5, 1, 3], 50), 3)
  t.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99)
  t.ok(Number.isNaN(percentile([], 99)), 'none: NaN')
})
