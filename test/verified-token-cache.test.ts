// The verified-token cache skips repeat signature checks only: expiry, revocation and tampering still apply.
import t from 'tap'
import { AccessTokenError, createAccessTokens } from '../src/tokens/access-token.js'
import { bearer, buildTestApp, manualClock, registerAndLogin, testKeySet } from './helper.js'

async function tokens (clock: { now: () => number }, cacheMaxEntries: number) {
  return createAccessTokens({
    keySet: await testKeySet(), issuer: 'iss', audience: 'aud', clientId: 'c', ttlSeconds: 900,
    clockToleranceSeconds: 10, nowMs: clock.now, cacheMaxEntries
  })
}
const subject = { userId: 'u', roles: [], sessionId: 's', sessionVersion: 0 }

t.test('answers a repeat verification from the cache with the same claims', async (t) => {
  const clock = manualClock()
  const at = await tokens(clock, 10)
  const { token } = await at.sign(subject)
  const first = await at.verify(token)
  t.equal(await at.verify(token), first, 'the very same claims object: no second signature check')
})

t.test('rejects a cached token once it has expired, exactly as a full verification would', async (t) => {
  const clock = manualClock()
  const at = await tokens(clock, 10)
  const { token, expiresIn } = await at.sign(subject)
  await at.verify(token)
  clock.advance((expiresIn + 9) * 1000)
  await t.resolves(at.verify(token), 'still inside the leeway')
  clock.advance(2000)
  await t.rejects(at.verify(token), new AccessTokenError('expired'))
})

t.test('verifies a token with any byte changed in full, however similar to a cached one', async (t) => {
  const at = await tokens(manualClock(), 10)
  const { token } = await at.sign(subject)
  await at.verify(token)
  const [h, p, s] = token.split('.') as [string, string, string]
  const forged = `${h}.${p.slice(0, -2)}${p.slice(-2) === 'fQ' ? 'fX' : 'fQ'}.${s}`
  await t.rejects(at.verify(forged))
})

t.test('keeps at most the configured number of entries, evicting the oldest', async (t) => {
  const clock = manualClock()
  const at = await tokens(clock, 2)
  const [first, second, third] = await Promise.all([1, 2, 3].map(() => at.sign(subject))) as unknown as [{ token: string }, { token: string }, { token: string }]
  const firstClaims = await at.verify(first.token)
  await at.verify(second.token)
  const thirdClaims = await at.verify(third.token) // evicts the first
  t.equal(await at.verify(third.token), thirdClaims, 'the newest is still cached')
  const again = await at.verify(first.token)
  t.not(again, firstClaims, 'the oldest was evicted and verified again in full')
  t.same(again, firstClaims, 'with the same result')
})

t.test('never lets a cached token skip the revocation check', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 200, 'verified and cached')
  await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(user.accessToken) })
  t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 401, 'revoked despite the cache')
})

t.test('verifies in full a cached token\'s signature pasted under another header and payload', async (t) => {
  const at = await tokens(manualClock(), 10)
  const { token } = await at.sign(subject)
  const { token: other } = await at.sign({ ...subject, userId: 'someone-else' })
  await at.verify(token)
  const [h, p] = other.split('.')
  const pasted = `${h}.${p}.${token.split('.')[2]}`
  t.throws(() => at.verifySync(pasted), new AccessTokenError('bad_signature'), 'same cache slot, different text: a miss')
  t.equal(at.verifySync(token).userId, 'u', 'the cached token itself still answers')
})

t.test('answers a cache hit synchronously with the same claims the promise gives', async (t) => {
  const at = await tokens(manualClock(), 10)
  const { token } = await at.sign(subject)
  const claims = at.verifySync(token)
  t.equal(at.verifySync(token), claims)
  t.equal(await at.verify(token), claims)
})
