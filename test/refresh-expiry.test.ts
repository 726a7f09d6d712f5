// Idle and absolute expiry, driven by an injected clock (no sleeping), and the key layout that makes them hold:
// a TTL on every session key and every key of a user in one Redis Cluster hash slot.
import t from 'tap'
import calculateSlot from 'cluster-key-slot'
import { buildTestApp, json, manualClock, rawRedis, refresh, registerAndLogin } from './helper.js'

type Tokens = { refresh_token: string }
const HOUR_MS = 3_600_000
const env = { REFRESH_IDLE_TTL_SECONDS: '3600', REFRESH_ABSOLUTE_TTL_SECONDS: '10800' } // 1 h idle, 3 h absolute

t.test('expires a family left unused for longer than the idle timeout', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env })
  const user = await registerAndLogin(app)
  clock.advance(HOUR_MS + 1)
  const res = await refresh(app, user.refreshToken)
  t.equal(res.statusCode, 400)
  t.equal(json(res).error, 'invalid_grant')
})

t.test('slides the idle timeout on every use', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env })
  const user = await registerAndLogin(app)
  let token = user.refreshToken
  for (let i = 0; i < 2; i++) {
    clock.advance(HOUR_MS - 60_000) // just inside the idle window each time
    const res = await refresh(app, token)
    t.equal(res.statusCode, 200, `use ${i + 1} keeps the family alive`)
    token = json<Tokens>(res).refresh_token
  }
})

t.test('never extends the absolute lifetime through rotation', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env })
  const user = await registerAndLogin(app)
  let token = user.refreshToken
  // Refresh every 50 minutes: always inside the idle window, so only the absolute lifetime can end the family.
  let lastOk = 0
  for (let minutes = 50; minutes <= 250; minutes += 50) {
    clock.advance(50 * 60_000)
    const res = await refresh(app, token)
    if (res.statusCode !== 200) break
    lastOk = minutes
    token = json<Tokens>(res).refresh_token
  }
  t.equal(lastOk, 150, 'the last refresh that works is before the 3 h absolute limit')
  t.same(await app.sessions.listSessions(user.userId), [], 'the expired family is no longer listed')
})

t.test('puts a TTL on every session key, bounded by the configured lifetimes', async (t) => {
  const app = await buildTestApp(t, { env })
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  await refresh(app, user.refreshToken)
  const prefix = app.config.redis.keyPrefix
  const family = `${prefix}{${user.userId}}:f:${user.sessionId}`
  const index = `${prefix}{${user.userId}}:fams`
  const familyTtl = await redis.pttl(family)
  t.ok(familyTtl > 0 && familyTtl <= HOUR_MS, `family TTL ${familyTtl} ms is at most the idle timeout`)
  const indexTtl = await redis.pttl(index)
  t.ok(indexTtl > 0 && indexTtl <= 3 * HOUR_MS, `family index TTL ${indexTtl} ms is at most the absolute lifetime`)
  const durable = new Set([`${prefix}{${user.userId}}:user`])
  for (const key of await redis.keys(`${prefix}*`)) {
    if (durable.has(key) || key.startsWith(`${prefix}email:`)) continue // accounts are durable by design
    t.ok(await redis.pttl(key) > 0, `${key.slice(prefix.length)} has a TTL`)
  }
})

t.test('keeps every key of a user in one hash slot', async (t) => {
  const app = await buildTestApp(t)
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  await registerAndLogin(app) // another user, to prove the keys differ by user
  const prefix = app.config.redis.keyPrefix
  const keys = (await redis.keys(`${prefix}*`)).filter((k) => k.includes(`{${user.userId}}`))
  t.ok(keys.length >= 3, 'user, family index and family')
  t.equal(new Set(keys.map((k) => calculateSlot(k))).size, 1, 'one slot for all of them')
})
