// Per-account login back-off over HTTP (ASVS 2.2.1; OWASP Authentication Cheat Sheet, "Account lockout"): after
// LOGIN_LOCKOUT_AFTER_FAILURES failures an account answers 429 rate_limited with Retry-After, the lock doubles per
// further failure up to LOGIN_LOCKOUT_MAX_SECONDS and then ends by itself, and a successful login clears it. The lock
// is checked before the password, so the right password gets the same 429 (no oracle), and unknown emails are treated
// exactly like known ones (no enumeration). Time moves by the manual clock, never by sleeping.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, json, login, manualClock, register, uniqueEmail, type Test } from './helper.js'
import { scrape, valueOf } from './metrics-scrape.js'

const LOCKOUT = {
  LOGIN_LOCKOUT_AFTER_FAILURES: '3',
  LOGIN_LOCKOUT_BASE_SECONDS: '30',
  LOGIN_LOCKOUT_MAX_SECONDS: '120',
  LOGIN_FAILURE_WINDOW_SECONDS: '600'
}
const WRONG = 'not the password'

async function lockoutApp (t: Test) {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env: LOCKOUT })
  return { app, clock }
}

const summary = (res: LightMyRequestResponse) => ({ status: res.statusCode, body: json(res), retryAfter: res.headers['retry-after'] })

t.test('locks an account after LOGIN_LOCKOUT_AFTER_FAILURES failures and refuses even the correct password', async (t) => {
  const { app } = await lockoutApp(t)
  const user = await register(app)
  for (let i = 1; i <= 3; i++) t.equal((await login(app, user.email, WRONG)).statusCode, 400, `failure ${i} is checked`)
  const locked = await login(app, user.email)
  t.equal(locked.statusCode, 429, 'the correct password during the lock')
  t.equal(json(locked).error, 'rate_limited')
  t.equal(locked.headers['retry-after'], '30', 'the first lock is LOGIN_LOCKOUT_BASE_SECONDS')
  t.same(summary(await login(app, user.email, WRONG)), summary(locked), 'a wrong password gets exactly the same answer')

  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_logins_total', { outcome: 'throttled' }), 2)
  t.equal(valueOf(samples, 'rotor_rate_limited_total', { limit: 'login_account' }), 2)
})

t.test('doubles the lock per further failure up to the cap, and the user logs in once it has passed', async (t) => {
  const { app, clock } = await lockoutApp(t)
  const user = await register(app)
  for (let i = 0; i < 3; i++) await login(app, user.email, WRONG)
  const seen: string[] = []
  for (const waitSeconds of [30, 60, 120, 120]) {
    seen.push(String((await login(app, user.email, WRONG)).headers['retry-after']))
    clock.advance(waitSeconds * 1000) // exactly to the end of the current lock
    t.equal((await login(app, user.email, WRONG)).statusCode, 400, `after ${waitSeconds} s the next attempt is checked again`)
  }
  seen.push(String((await login(app, user.email)).headers['retry-after']))
  t.same(seen, ['30', '60', '120', '120', '120'], 'base, doubled, then capped at LOGIN_LOCKOUT_MAX_SECONDS')

  clock.advance(120_000) // past the cap: whatever the attacker did, the lock has ended
  const res = await login(app, user.email)
  t.equal(res.statusCode, 200, 'the user is never locked out for good')
  t.type(json(res).access_token, 'string')
  // The success cleared the count: one more failure does not lock again.
  t.equal((await login(app, user.email, WRONG)).statusCode, 400)
  t.equal((await login(app, user.email)).statusCode, 200)
})

t.test('throttles an unknown email exactly like a known one', async (t) => {
  const { app } = await lockoutApp(t)
  const known = await register(app)
  const unknown = uniqueEmail()
  const known4 = []
  const unknown4 = []
  for (let i = 0; i < 4; i++) known4.push(summary(await login(app, known.email, WRONG)))
  for (let i = 0; i < 4; i++) unknown4.push(summary(await login(app, unknown, WRONG)))
  t.same(unknown4, known4, 'same statuses, bodies and Retry-After: nothing tells which account exists')
  t.equal(known4[3]?.status, 429)
})

t.test('counts every spelling of one canonical email as one account', async (t) => {
  const { app } = await lockoutApp(t)
  const user = await register(app)
  const [local, domain] = user.email.split('@') as [string, string]
  for (const variant of [user.email.toUpperCase(), ` ${user.email}`, `${local}@${domain.toUpperCase()}`]) {
    t.equal((await login(app, variant, WRONG)).statusCode, 400)
  }
  t.equal((await login(app, user.email)).statusCode, 429)
})

t.test('a successful login clears earlier failures', async (t) => {
  const { app } = await lockoutApp(t)
  const user = await register(app)
  for (let round = 0; round < 3; round++) {
    t.equal((await login(app, user.email, WRONG)).statusCode, 400)
    t.equal((await login(app, user.email, WRONG)).statusCode, 400)
    t.equal((await login(app, user.email)).statusCode, 200, `round ${round + 1}: two failures, then in`)
  }
  const other = await register(app)
  for (let i = 0; i < 3; i++) await login(app, other.email, WRONG)
  t.equal((await login(app, user.email)).statusCode, 200, 'another account logs in')
  t.equal((await login(app, other.email)).statusCode, 429, 'and only its own count was cleared')
})

t.test('forgets failures after LOGIN_FAILURE_WINDOW_SECONDS without an attempt', async (t) => {
  const { app, clock } = await lockoutApp(t)
  const user = await register(app)
  await login(app, user.email, WRONG)
  await login(app, user.email, WRONG)
  clock.advance(600_000)
  await login(app, user.email, WRONG)
  await login(app, user.email, WRONG)
  t.equal((await login(app, user.email)).statusCode, 200, 'four failures, but never three within one window')
})

t.test('checks no more than LOGIN_LOCKOUT_AFTER_FAILURES of many parallel guesses', async (t) => {
  const { app } = await lockoutApp(t)
  const user = await register(app)
  // Counted atomically before the password check, so a burst from many connections cannot overshoot the threshold.
  const results = await Promise.all(Array.from({ length: 10 }, () => login(app, user.email, WRONG)))
  const statuses = results.map((r) => r.statusCode).sort()
  t.same(statuses, [400, 400, 400, 429, 429, 429, 429, 429, 429, 429])
})
