// Idle and absolute expiry, driven by an injected clock (no sleeping), and the key layout that makes them hold:
// sessions as fields of the user's hash, pruned once dead, a TTL on every other key, one hash slot per user.
import t from 'tap'
import calculateSlot from 'cluster-key-slot'
import { buildTestApp, json, login, manualClock, rawRedis, refresh, registerAndLogin } from './helper.js'

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

t.test('keeps sessions as fields of the durable user hash and a TTL on every other key', async (t) => {
  const app = await buildTestApp(t, { env })
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  await refresh(app, user.refreshToken)
  const prefix = app.config.redis.keyPrefix
  const userKey = `${prefix}{${user.userId}}:user`
  t.same((await redis.keys(`${prefix}*`)).filter((k) => k.includes(`{${user.userId}}`)), [userKey], 'no key per session')
  t.equal(await redis.hexists(userKey, `f:${user.sessionId}`), 1, 'the family is a field of the user hash')
  for (const key of await redis.keys(`${prefix}*`)) {
    if (key === userKey || key.startsWith(`${prefix}email:`)) continue // accounts are durable by design
    t.ok(await redis.pttl(key) > 0, `${key.slice(prefix.length)} has a TTL`)
  }
})

t.test('prunes dead families from the user hash at the next login', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env })
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  const userKey = `${app.config.redis.keyPrefix}{${user.userId}}:user`
  clock.advance(HOUR_MS + 1) // idle timeout passed: the family is dead but still stored
  t.equal(await redis.hexists(userKey, `f:${user.sessionId}`), 1)
  const again = await login(app, user.email)
  t.equal(again.statusCode, 200)
  t.equal(await redis.hexists(userKey, `f:${user.sessionId}`), 0, 'the dead family is gone')
  t.equal(await redis.hexists(userKey, `f:${json<{ session_id: string }>(again).session_id}`), 1, 'the new one is stored')
})

t.test('keeps every key of a user in one hash slot', async (t) => {
  const app = await buildTestApp(t)
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  await registerAndLogin(app) // another user, to prove the keys differ by user
  const prefix = app.config.redis.keyPrefix
  const keys = (await redis.keys(`${prefix}*`)).filter((k) => k.includes(`{${user.userId}}`))
  t.ok(keys.length >= 1, 'the user hash, holding the sessions')
  t.equal(new Set(keys.map((k) => calculateSlot(k))).size, 1, 'one slot for all of them')
})
