// The feed log ring: bounded, ordered, and honest about which positions it can resume from.
import t from 'tap'
import { compareIds, createFeedLog, isEventId } from '../src/revocation/feed-log.js'

const user = (n: number) => ({ kind: 'user' as const, userId: `u${n}`, minVersion: n, atMs: 1, reason: 'logout_all', email: 'never@example.com' })

t.test('compares stream ids numerically and recognises only well-formed ones', async (t) => {
  t.ok(compareIds('10-0', '9-5') > 0, 'ms before seq, as numbers')
  t.ok(compareIds('9-10', '9-9') > 0)
  t.equal(compareIds('9-9', '9-9'), 0)
  for (const bad of ['', '1', '1-', '-1', 'a-1', '1-2-3', ' 1-2', '1'.repeat(17) + '-0']) t.notOk(isEventId(bad), JSON.stringify(bad))
})

t.test('keeps the newest events up to its capacity; older positions are too old, newer ones ahead', async (t) => {
  const log = createFeedLog(3)
  t.same(log.since('0-0', 10), { entries: [], more: false }, 'empty: nothing after the start')
  for (let i = 1; i <= 5; i++) log.append(`${i}-0`, user(i))
  t.equal(log.size(), 3)
  t.equal(log.position(), '5-0')
  t.equal(log.since('1-0', 10), 'too-old', 'evicted: cannot be proven complete')
  t.equal(log.since('6-0', 10), 'ahead')
  const after2 = log.since('2-0', 10)
  t.same(after2 !== 'too-old' && after2 !== 'ahead' ? after2.entries.map((e) => e.id) : after2, ['3-0', '4-0', '5-0'], 'the newest evicted id still resumes')
  t.same(log.since('3-5', 1), { entries: [{ id: '4-0', event: { kind: 'user', userId: 'u4', minVersion: 4, atMs: 1, reason: 'logout_all' } }], more: true }, 'paged; only contract fields')
  t.same(log.since('5-0', 10), { entries: [], more: false }, 'at the position: nothing more')
})

t.test('serves each id once, in order, to listeners until they unsubscribe', async (t) => {
  const log = createFeedLog(10)
  const seen: string[] = []
  const off = log.onAppend((e) => seen.push(e.id))
  log.append('2-0', user(2))
  log.append('1-0', user(1)) // older than the position: ignored
  log.append('2-0', user(2)) // a repeat: ignored
  log.append('3-0', user(3))
  off()
  log.append('4-0', user(4))
  t.same(seen, ['2-0', '3-0'])
  t.equal(log.position(), '4-0')
})
