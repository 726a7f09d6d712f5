// Active sessions: families created or refreshed within the idle window, counted with Redis HyperLogLogs so that no
// per-session state is added to Redis. Writes are batched off the request path and can never fail a request.
import t from 'tap'
import calculateSlot from 'cluster-key-slot'
import { bucketHours } from '../src/metrics/active-sessions.js'
import { startRedisServer } from '../src/redis-server.js'
import { buildTestApp, json, login, manualClock, rawRedis, refresh, registerAndLogin, uniquePrefix } from './helper.js'
import { scrape, valueOf } from './metrics-scrape.js'

const HOUR_MS = 3_600_000
const activeSessions = async (app: Parameters<typeof scrape>[0]) => valueOf((await scrape(app)).samples, 'rotor_active_sessions')

t.test('counts three logins as about three active sessions, and refreshing them does not count them again', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const users = [await registerAndLogin(app), await registerAndLogin(app), await registerAndLogin(app)]
  const first = await activeSessions(app)
  // A HyperLogLog estimate: exact in practice at this size, off by one only on a register collision.
  t.ok(first !== undefined && first >= 2 && first <= 3, `about 3 (${first})`)

  for (const user of users) {
    const next = json<{ refresh_token: string }>(await refresh(app, user.refreshToken)).refresh_token
    t.equal((await refresh(app, next)).statusCode, 200)
  }
  clock.advance(31_000) // past the 30 s cache of the count
  t.equal(await activeSessions(app), first, 'the same three families, however often they are refreshed')

  const again = json<{ session_id: string }>(await login(app, users[0]!.email))
  t.not(again.session_id, users[0]!.sessionId)
  clock.advance(31_000)
  t.ok((await activeSessions(app))! > first!, 'a second login of the same user is a second session')
})

t.test('stops counting a family once its last use is older than the idle window', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env: { REFRESH_IDLE_TTL_SECONDS: '3600' } })
  await registerAndLogin(app)
  t.equal(await activeSessions(app), 1)
  clock.advance(2 * HOUR_MS + 1) // idle window (1 h) plus the bucket it was recorded in
  t.equal(await activeSessions(app), 0)
  await registerAndLogin(app)
  clock.advance(31_000)
  t.equal(await activeSessions(app), 1, 'a new use counts again')
})

t.test('writes used family ids in batches to hourly HyperLogLogs in one hash slot, each expiring after the idle window', async (t) => {
  const clock = manualClock()
  const prefix = uniquePrefix()
  const app = await buildTestApp(t, { clock: clock.now, env: { REDIS_KEY_PREFIX: prefix, METRICS_ACTIVE_SESSIONS_FLUSH_INTERVAL_MS: '60000' } })
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  t.same(await redis.keys(`${prefix}{active}:*`), [], 'nothing written on the request path')

  clock.advance(HOUR_MS)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200)
  await app.metrics.activeSessions.flush()
  const keys = (await redis.keys(`${prefix}{active}:*`)).sort()
  t.same(keys, [`${prefix}{active}:1h:${Math.floor((clock.now() - HOUR_MS) / HOUR_MS)}`, `${prefix}{active}:1h:${Math.floor(clock.now() / HOUR_MS)}`],
    'one key per hour the family was used in')
  t.equal(new Set(keys.map((k) => calculateSlot(k))).size, 1, 'one hash slot, so one PFCOUNT spans them (Redis Cluster)')
  for (const key of keys) {
    t.equal(await redis.pfcount(key), 1)
    const ttl = await redis.ttl(key)
    t.ok(ttl > 604800 && ttl <= 604800 + 3600, `expires after the idle window plus one bucket (${ttl} s)`)
  }
  t.equal(await redis.pfcount(...keys), 1, 'one family across both hours')
})

t.test('never fails a request or a scrape when the counts cannot be written', async (t) => {
  const clock = manualClock()
  const prefix = uniquePrefix()
  const app = await buildTestApp(t, { clock: clock.now, env: { REDIS_KEY_PREFIX: prefix } })
  const redis = await rawRedis(t)
  // A key of the wrong type makes every PFADD and PFCOUNT on it fail (WRONGTYPE).
  await redis.set(`${prefix}{active}:1h:${Math.floor(clock.now() / HOUR_MS)}`, 'not a HyperLogLog')
  const user = await registerAndLogin(app)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'refresh succeeds')
  await app.metrics.activeSessions.flush()
  const res = await app.inject({ url: '/metrics' })
  t.equal(res.statusCode, 200, 'the scrape succeeds')
  t.match(res.body, /^rotor_logins_total\{outcome="succeeded"\} 1$/m, 'with every other metric')
})

t.test('keeps the last known count while Redis is away', async (t) => {
  const server = await startRedisServer()
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, redisUrl: server.url })
  await registerAndLogin(app)
  const before = await activeSessions(app)
  t.equal(before, 1)
  await server.stop()
  clock.advance(31_000)
  t.equal(await activeSessions(app), before)
})

t.test('widens the buckets beyond a 7-day idle window so that a count reads at most about 170 keys', async (t) => {
  t.equal(bucketHours(604800), 1, '7 days: hourly')
  t.equal(bucketHours(30 * 86400), 5)
  const year = 365 * 86400
  t.ok(year / 3600 / bucketHours(year) <= 168, 'a year-long window')
})

t.test('writes the ids still batched when the app closes', async (t) => {
  const prefix = uniquePrefix()
  const app = await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix, METRICS_ACTIVE_SESSIONS_FLUSH_INTERVAL_MS: '60000' } })
  const redis = await rawRedis(t)
  await registerAndLogin(app)
  await app.close()
  const keys = await redis.keys(`${prefix}{active}:*`)
  t.equal(keys.length, 1, 'the last few seconds of use are not lost on a graceful shutdown')
  t.equal(await redis.pfcount(...keys), 1)
})
