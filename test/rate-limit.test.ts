// Per-client-IP rate limits on login, refresh and registration (OWASP Authentication Cheat Sheet; ASVS 2.2.1):
// counted in Redis under the app's key prefix, so every instance shares them; refused with 429 rate_limited and
// Retry-After in seconds (RFC 6585 §4, RFC 9110 §10.2.3), never a hand-built body.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp, json, login, rawRedis, register, registerAndLogin, uniqueEmail, uniquePrefix } from './helper.js'
import { scrape, valueOf } from './metrics-scrape.js'

// Only what is used here: a subtest's `t` is not assignable to the root TAP type.
type Test = Pick<typeof t, 'equal' | 'match' | 'ok'>

function assertRateLimited (t: Test, res: LightMyRequestResponse, maxSeconds: number, what = 'request'): void {
  t.equal(res.statusCode, 429, `${what}: 429`)
  t.equal(json(res).error, 'rate_limited', `${what}: error code`)
  t.match(json(res).error_description, /Retry-After/, `${what}: says when to retry`)
  const retryAfter = Number(res.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxSeconds, `${what}: Retry-After ${res.headers['retry-after']} is 1..${maxSeconds} s`)
}

const fromIp = (app: FastifyInstance, ip: string, payload: Record<string, string>, url = '/auth/token') =>
  app.inject({ method: 'POST', url, remoteAddress: ip, payload })

t.test('refuses logins from one client IP beyond RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE with 429 and Retry-After', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '3' } })
  const user = await register(app)
  for (let i = 0; i < 3; i++) {
    // Wrong passwords count as much as right ones: the limit bounds guessing, whatever the outcome.
    t.equal((await login(app, user.email, `wrong password ${i}`)).statusCode, 400, `attempt ${i + 1} is checked`)
  }
  assertRateLimited(t, await login(app, user.email), 60, 'fourth login, correct password')
  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_rate_limited_total', { limit: 'login_ip' }), 1, 'counted under its limit name')
})

t.test('shares the count between two instances on the same Redis', async (t) => {
  const env = { REDIS_KEY_PREFIX: uniquePrefix(), RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '3' }
  const a = await buildTestApp(t, { env })
  const b = await buildTestApp(t, { env })
  const user = await register(a)
  t.equal((await login(a, user.email)).statusCode, 200)
  t.equal((await login(a, user.email)).statusCode, 200)
  t.equal((await login(b, user.email)).statusCode, 200, 'the third request, on the other instance')
  assertRateLimited(t, await login(b, user.email), 60, 'the fourth, on the instance that saw only one')
  assertRateLimited(t, await login(a, user.email), 60, 'and on the first instance as well')
})

t.test('counts each client IP apart and ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '1' } })
  const payload = { email: uniqueEmail(), password: 'not a real password' }
  t.equal((await fromIp(app, '203.0.113.1', payload)).statusCode, 400)
  assertRateLimited(t, await fromIp(app, '203.0.113.1', payload), 60, 'same IP')
  t.equal((await fromIp(app, '203.0.113.2', payload)).statusCode, 400, 'another IP has its own count')
  // A forged header must not buy a fresh count: the socket address is the client here.
  const forged = await app.inject({ method: 'POST', url: '/auth/token', remoteAddress: '203.0.113.1', headers: { 'x-forwarded-for': '198.51.100.7' }, payload })
  assertRateLimited(t, forged, 60, 'forged X-Forwarded-For')
})

t.test('behind a trusted proxy counts the forwarded client address', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '1', TRUST_PROXY: '10.0.0.1' } })
  const payload = { email: uniqueEmail(), password: 'not a real password' }
  const via = (client: string) => app.inject({ method: 'POST', url: '/auth/token', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': client }, payload })
  t.equal((await via('198.51.100.1')).statusCode, 400)
  assertRateLimited(t, await via('198.51.100.1'), 60, 'the same client again')
  t.equal((await via('198.51.100.2')).statusCode, 400, 'another client behind the same proxy')
})

t.test('limits refreshes per IP per minute', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '2' } })
  const payload = { refresh_token: 'v1.not.a.refresh.token' }
  t.equal((await fromIp(app, '203.0.113.9', payload, '/auth/refresh')).statusCode, 400)
  t.equal((await fromIp(app, '203.0.113.9', payload, '/auth/refresh')).statusCode, 400)
  assertRateLimited(t, await fromIp(app, '203.0.113.9', payload, '/auth/refresh'), 60, 'third refresh')
})

t.test('limits registrations per IP per hour', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '2' } })
  const payload = () => ({ email: uniqueEmail(), password: 'correct horse battery staple' })
  t.equal((await fromIp(app, '203.0.113.7', payload(), '/auth/register')).statusCode, 201)
  t.equal((await fromIp(app, '203.0.113.7', payload(), '/auth/register')).statusCode, 201)
  assertRateLimited(t, await fromIp(app, '203.0.113.7', payload(), '/auth/register'), 3600, 'third registration')
})

t.test('keeps every counter under REDIS_KEY_PREFIX with a TTL no longer than its window', async (t) => {
  const prefix = uniquePrefix()
  const app = await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix } })
  const user = await registerAndLogin(app)
  t.equal((await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.refreshToken } })).statusCode, 200)
  const redis = await rawRedis(t)
  const keys = await redis.keys(`${prefix}rate-limit:*`)
  t.equal(keys.length, 3, 'one counter each for register, login and refresh from this IP')
  for (const key of keys) {
    const ttlMs = await redis.pttl(key)
    const windowMs = key.includes('/auth/register') ? 3_600_000 : 60_000
    t.ok(ttlMs > 0 && ttlMs <= windowMs, `${key.slice(prefix.length)} expires within its window (${ttlMs} ms)`)
  }
})

t.test('a limit of 0 turns that limit off: nothing is refused and nothing is counted', async (t) => {
  const prefix = uniquePrefix()
  const app = await buildTestApp(t, { env: { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '0', REDIS_KEY_PREFIX: prefix } })
  const email = uniqueEmail()
  for (let i = 0; i < 5; i++) t.equal((await login(app, email, 'not a real password')).statusCode, 400)
  t.same(await (await rawRedis(t)).keys(`${prefix}rate-limit:*`), [])
})
