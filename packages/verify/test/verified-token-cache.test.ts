// The verified-token cache evicts the oldest entry at a full cache, at constant cost, whatever came and went before:
// entries expired and deleted on lookup, the whole cache emptied, a long run of inserts at full size.
import t from 'tap'
import { createVerifiedTokenCache, type AccessClaims } from '../src/index.js'

const claimsFor = (i: number, expiresAtSeconds = 10_000): AccessClaims => ({
  userId: `u${i}`, roles: [], sessionId: `s${i}`, sessionVersion: 0, jti: `j${i}`, expiresAtSeconds, issuedAtSeconds: 9_500
})
// Distinct in their last 22 characters (the cache's key), as real signatures are.
const token = (i: number): string => `header.payload.${String(i).padStart(30, '0')}`

function cache (maxEntries: number, clock = { ms: 9_600_000 }) {
  return { clock, cache: createVerifiedTokenCache({ maxEntries, clockToleranceSeconds: 0, maxTokenAgeSeconds: 900, nowMs: () => clock.ms }) }
}

t.test('keeps the newest entries at a full cache over many evictions, oldest out first', async (t) => {
  const { cache: c } = cache(100)
  for (let i = 0; i < 5_000; i++) c.set(token(i), claimsFor(i))
  t.equal(c.size(), 100)
  t.equal(c.get(token(4_899)), undefined, 'the 101st newest was evicted')
  t.same(c.get(token(4_900))?.userId, 'u4900', 'the 100th newest is kept')
  t.same(c.get(token(4_999))?.userId, 'u4999')
})

t.test('evicts the oldest still present when older ones expired and left through a lookup', async (t) => {
  const { cache: c, clock } = cache(3)
  c.set(token(1), claimsFor(1, 9_700)) // expires first
  c.set(token(2), claimsFor(2))
  c.set(token(3), claimsFor(3))
  clock.ms = 9_700_000
  t.equal(c.get(token(1)), undefined, 'expired: deleted on lookup')
  c.set(token(4), claimsFor(4)) // room for it: nothing evicted
  c.set(token(5), claimsFor(5)) // full: evicts 2, the oldest present
  t.equal(c.get(token(2)), undefined)
  t.same([3, 4, 5].map((i) => c.get(token(i))?.userId), ['u3', 'u4', 'u5'])
})

t.test('still evicts after the cache was emptied entirely and filled again', async (t) => {
  const { cache: c, clock } = cache(2)
  c.set(token(1), claimsFor(1, 9_700))
  c.set(token(2), claimsFor(2, 9_700))
  c.set(token(3), claimsFor(3, 9_700)) // evicts 1: the eviction order has started
  clock.ms = 9_700_000
  t.equal(c.get(token(2)), undefined)
  t.equal(c.get(token(3)), undefined)
  t.equal(c.size(), 0, 'every entry expired and left')
  for (const i of [4, 5, 6]) c.set(token(i), claimsFor(i))
  t.equal(c.size(), 2)
  t.equal(c.get(token(4)), undefined, 'the oldest of the new entries was evicted')
  t.same([5, 6].map((i) => c.get(token(i))?.userId), ['u5', 'u6'])
})

t.test('two tokens whose signatures end alike are told apart: each served its own claims or verified again, never the other\'s', async (t) => {
  const { cache: c } = cache(10)
  const first = 'header.payload-one.sameEND'
  const second = 'header.payload-two.sameEND' // the same last characters, so the same key
  c.set(first, claimsFor(1))
  t.same(c.get(first)?.userId, 'u1')
  t.equal(c.get(second), undefined, 'not the first token\'s claims: a miss, so it is verified in full')
  c.set(second, claimsFor(2))
  t.same(c.get(second)?.userId, 'u2', 'the newer one takes the place')
  t.equal(c.get(first), undefined, 'and the older is verified in full again, never served the newer\'s claims')
  t.equal(c.size(), 1)
})

t.test('any text is a lookup, not an error: short, empty, or with characters outside base64url', async (t) => {
  const { cache: c } = cache(10)
  c.set(token(1), claimsFor(1))
  for (const text of ['', 'a', '..', 'ünïcødé✓', token(1) + '\u0000', token(1).slice(0, -1)]) t.equal(c.get(text), undefined, JSON.stringify(text))
  t.same(c.get(token(1))?.userId, 'u1')
})
