// The revocation rules, one implementation for Rotor's instances and resource servers: a user entry is a floor of
// session versions (the highest seen), a session entry kills that sid, each lives max(atMs, arrival) + retention,
// applying is idempotent, and entries() gives back what is in force in the feed's public shape.
import t from 'tap'
import { createRevocationList, type FeedEvent } from '../src/index.js'

const RETENTION = 10_000
function listAt (start: number) {
  const clock = { now: start }
  return { clock, list: createRevocationList({ retentionMs: RETENTION, nowMs: () => clock.now }) }
}
const user = (minVersion: number, atMs: number, reason = 'logout_all'): FeedEvent => ({ kind: 'user', userId: 'u', minVersion, atMs, reason })
const session = (sessionId: string, atMs: number, reason = 'logout'): FeedEvent => ({ kind: 'session', userId: 'u', sessionId, atMs, reason })

t.test('a user keeps the highest floor; a lower one is older news and changes nothing', async (t) => {
  const { list } = listAt(1_000_000)
  list.apply(user(3, 1_000_000, 'password_changed'))
  list.apply(user(2, 1_000_500, 'logout_all'))
  t.ok(list.isRevoked({ userId: 'u', sessionId: 'x', sessionVersion: 2 }), 'below the floor: dead')
  t.notOk(list.isRevoked({ userId: 'u', sessionId: 'x', sessionVersion: 3 }), 'at the floor: alive')
  t.notOk(list.isRevoked({ userId: 'other', sessionId: 'x', sessionVersion: 0 }), 'another user: alive')
  t.same([...list.entries()], [user(3, 1_000_000, 'password_changed')], 'the event that set the floor is the one kept')
  list.apply(user(3, 1_000_900, 'admin_disable'))
  t.same([...list.entries()], [user(3, 1_000_900, 'admin_disable')], 'an equal floor is the latest news')
})

t.test('a session entry kills that sid whatever the user or version, and applying twice is applying once', async (t) => {
  const { list } = listAt(1_000_000)
  list.apply(session('s1', 1_000_000))
  list.apply(session('s1', 1_000_000))
  t.ok(list.isRevoked({ userId: 'someone', sessionId: 's1', sessionVersion: 99 }))
  t.notOk(list.isRevoked({ userId: 'u', sessionId: 's2', sessionVersion: 0 }))
  t.same(list.size(), { users: 0, sessions: 1 })
  t.same([...list.entries()], [session('s1', 1_000_000)])
})

t.test('an entry lives max(atMs, arrival) + retention, then is skipped and pruned', async (t) => {
  const { clock, list } = listAt(1_000_000)
  list.apply(session('late-stamp', 1_000_000 - 12_000)) // the revoker's clock 12 s behind: counted from arrival
  list.apply(session('future-stamp', 1_000_000 + 5_000)) // ahead: counted from its stamp
  list.apply(user(1, 1_000_000))
  clock.now += RETENTION - 1
  t.ok(list.isRevoked({ userId: 'x', sessionId: 'late-stamp', sessionVersion: 0 }), 'not shortened by a late stamp')
  t.ok(list.isRevoked({ userId: 'u', sessionId: 'x', sessionVersion: 0 }))
  clock.now += 1
  t.notOk(list.isRevoked({ userId: 'x', sessionId: 'late-stamp', sessionVersion: 0 }), 'expired')
  t.notOk(list.isRevoked({ userId: 'u', sessionId: 'x', sessionVersion: 0 }), 'expired floor')
  t.ok(list.isRevoked({ userId: 'x', sessionId: 'future-stamp', sessionVersion: 0 }), 'still within its stamp + retention')
  t.same([...list.entries()], [session('future-stamp', 1_005_000)], 'entries() skips expired ones')
  list.prune()
  t.same(list.size(), { users: 0, sessions: 1 }, 'prune drops them from memory')
})

t.test('a repeat can only lengthen an entry, never shorten it or change what entries() reports', async (t) => {
  const { clock, list } = listAt(1_000_000)
  list.apply(session('s', 1_000_000, 'logout'))
  clock.now += 6_000
  list.apply(session('s', 1_000_000, 'reuse')) // heard again later (a replay): lives from now on
  list.apply(user(2, 1_000_000))
  list.apply(user(1, 900_000)) // older news arriving now: the floor stays, its life is counted from now (never less)
  clock.now += 9_000
  t.ok(list.isRevoked({ userId: 'x', sessionId: 's', sessionVersion: 0 }), 'lengthened by the repeat')
  t.ok(list.isRevoked({ userId: 'u', sessionId: 'x', sessionVersion: 1 }))
  t.same([...list.entries()], [user(2, 1_000_000), session('s', 1_000_000, 'logout')], 'the first event of a session is kept')
})

t.test('keeps only the contract\'s fields of what it is given', async (t) => {
  const { list } = listAt(1_000_000)
  const carrying = { ...session('s', 1_000_000), email: 'a@example.com', token: 'secret' }
  list.apply(carrying)
  t.same([...list.entries()], [session('s', 1_000_000)])
  t.notOk('email' in [...list.entries()][0]!)
})
