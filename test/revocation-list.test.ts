// Rotor's revocation list is @rotor/verify's, behind an adapter for the shape of the Redis revocation log: entries
// written as { kind: 'family', familyId } (by this version and older ones) and in the feed's public shape
// { kind: 'session', sessionId } are both read; the snapshot gives them back in the public shape only.
import t from 'tap'
import { createRevocationList, toFeedEvent } from '../src/revocation/revocation-list.js'

t.test('reads log entries of either shape and gives back the feed\'s public shape', async (t) => {
  const now = 1_000_000
  const list = createRevocationList({ retentionMs: 10_000, nowMs: () => now })
  list.apply({ kind: 'family', userId: 'u1', familyId: 'f-old', atMs: now, reason: 'logout' })
  list.apply({ kind: 'session', userId: 'u2', sessionId: 'f-new', atMs: now, reason: 'reuse' })
  list.apply({ kind: 'user', userId: 'u3', minVersion: 4, atMs: now, reason: 'password_changed' })
  t.ok(list.isRevoked({ userId: 'u1', sessionId: 'f-old', sessionVersion: 0 }), 'the internal shape revokes its family')
  t.ok(list.isRevoked({ userId: 'u2', sessionId: 'f-new', sessionVersion: 0 }), 'the public shape revokes its session')
  t.ok(list.isRevoked({ userId: 'u3', sessionId: 'any', sessionVersion: 3 }), 'a floor below which versions die')
  t.same(list.size(), { users: 1, families: 2 })
  t.same([...list.entries()], [
    { kind: 'user', userId: 'u3', minVersion: 4, atMs: now, reason: 'password_changed' },
    { kind: 'session', userId: 'u1', sessionId: 'f-old', atMs: now, reason: 'logout' },
    { kind: 'session', userId: 'u2', sessionId: 'f-new', atMs: now, reason: 'reuse' }
  ])
})

t.test('maps an entry to the contract\'s fields only, whatever else it carried', async (t) => {
  const entry = { kind: 'family' as const, userId: 'u', familyId: 'f', atMs: 1, reason: 'logout', email: 'a@example.com' }
  t.same(toFeedEvent(entry), { kind: 'session', userId: 'u', sessionId: 'f', atMs: 1, reason: 'logout' })
  t.notOk('familyId' in toFeedEvent(entry) || 'email' in toFeedEvent(entry))
})
