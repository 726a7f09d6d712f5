// Instances need not agree on time: the grace window, idle and absolute expiry and login locks are decided on Redis's
// clock (TIME inside the scripts), never on the clock of the instance that happens to serve a request. Two apps share
// one key prefix (one deployment) with clocks far apart; the store clock is Redis's own unless a test injects one.
import t from 'tap'
import { buildTestApp, json, login, manualClock, rawRedis, refresh, register, registerAndLogin, uniquePrefix, type Test } from './helper.js'

type Tokens = { refresh_token: string, access_token: string }
const SKEW_MS = 12_000
const DAY_MS = 86_400_000

/** Two instances of one deployment (same Redis prefix), B's clock `skewMs` off A's. */
async function twoInstances (t: Test, skewMs: number, options: { storeClock?: () => number, env?: Record<string, string> } = {}) {
  const env = { REDIS_KEY_PREFIX: uniquePrefix(), ...options.env }
  const storeClock = options.storeClock ?? 'redis'
  const a = await buildTestApp(t, { env, clock: Date.now, storeClock })
  const b = await buildTestApp(t, { env, clock: () => Date.now() + skewMs, storeClock })
  return { a, b }
}

t.test('a retry inside the grace window through an instance whose clock is 12 s ahead gets the same successor', async (t) => {
  const { a, b } = await twoInstances(t, SKEW_MS)
  const user = await registerAndLogin(a)
  const first = await refresh(a, user.refreshToken)
  t.equal(first.statusCode, 200)
  const retry = await refresh(b, user.refreshToken) // the same predecessor again, well inside the 10 s window
  t.equal(retry.statusCode, 200, 'not mistaken for reuse')
  t.equal(json<Tokens>(retry).refresh_token, json<Tokens>(first).refresh_token, 'the same successor')
  t.equal((await refresh(a, json<Tokens>(retry).refresh_token)).statusCode, 200, 'and the family lives on')
})

t.test('a replay after the grace window is reuse, even through an instance whose clock is 12 s behind', async (t) => {
  const store = manualClock()
  const { a, b } = await twoInstances(t, -SKEW_MS, { storeClock: store.now })
  const user = await registerAndLogin(a)
  const first = await refresh(a, user.refreshToken)
  t.equal(first.statusCode, 200)
  store.advance(10_001) // the store's clock leaves the 10 s window; B's own clock would still be inside it
  const replay = await refresh(b, user.refreshToken)
  t.equal(replay.statusCode, 400)
  t.equal(json(replay).error, 'invalid_grant')
  t.equal((await refresh(a, json<Tokens>(first).refresh_token)).statusCode, 400, 'the family is revoked')
})

t.test('idle and absolute expiry follow Redis\'s clock, not an instance clock a month ahead', async (t) => {
  const { a, b } = await twoInstances(t, 31 * DAY_MS)
  const user = await registerAndLogin(a)
  const res = await refresh(b, user.refreshToken)
  t.equal(res.statusCode, 200, 'a fresh session is not expired by a clock that runs ahead')
  const redis = await rawRedis(t)
  const [seconds] = await redis.time()
  const [session] = await b.sessions.listSessions(user.userId)
  t.ok(session !== undefined && Math.abs(session.lastUsedAtMs - Number(seconds) * 1000) < 60_000, 'times are on Redis\'s clock')
})

t.test('a login lock set through one instance holds on an instance whose clock is ahead', async (t) => {
  const lockout = { LOGIN_LOCKOUT_AFTER_FAILURES: '1', LOGIN_LOCKOUT_BASE_SECONDS: '30', LOGIN_LOCKOUT_MAX_SECONDS: '30' }
  const { a, b } = await twoInstances(t, 60_000, { env: lockout })
  const user = await register(a)
  t.equal((await login(a, user.email, 'not the password')).statusCode, 400, 'the failure that sets a 30 s lock')
  const locked = await login(b, user.email)
  t.equal(locked.statusCode, 429, 'still locked on B, whose clock says the lock ended')
})
