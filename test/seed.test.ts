// Seeded load-test users must be indistinguishable from real ones to the service: their access tokens verify, their
// refresh tokens rotate, and they log in with the shared password, although it was hashed only once.
import t from 'tap'
import { Redis } from 'ioredis'
import { loadConfig } from '../src/config.js'
import { createKeyNames } from '../src/key-names.js'
import { SEED_USER_AGENT, seedUsers, type SeedContext } from '../src/seed/seed-users.js'
import { bearer, buildTestApp, json, login, rawRedis, redisUrl, refresh, REFRESH_SECRET, testKeySet, uniquePrefix } from './helper.js'

const SEED_PASSWORD = 'seeded users share this password'
const COUNT = 50

const prefix = uniquePrefix()
const url = await redisUrl()
// Auto-pipelining, as the CLI uses: concurrent workers' commands share round trips.
const redis = new Redis(url, { enableAutoPipelining: true })
t.teardown(() => redis.quit())
const keySet = await testKeySet()
const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: url, REDIS_KEY_PREFIX: prefix })
const ctx: SeedContext = { redis, config, keySet, refreshSecret: REFRESH_SECRET }
const seeded = await seedUsers(ctx, { count: COUNT, password: SEED_PASSWORD, concurrency: 16 })
const app = await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix }, keySet })

type Tokens = { access_token: string, refresh_token: string, session_id: string }

t.test('creates the requested number of users with numbered emails on a run-specific domain', async (t) => {
  t.equal(seeded.users.length, COUNT)
  t.match(seeded.emailDomain, /^run-[0-9a-f]{8}\.seed\.example$/)
  t.same(seeded.users.map((u) => u.email), Array.from({ length: COUNT }, (_, i) => `seed-${i + 1}@${seeded.emailDomain}`))
  t.equal(new Set(seeded.users.map((u) => u.userId)).size, COUNT, 'distinct accounts')
  t.ok(seeded.accessTokensExpireAtMs > Date.now(), 'the access tokens are live')
})

t.test('the service accepts every seeded access token on /me', async (t) => {
  for (const user of seeded.users) {
    const res = await app.inject({ url: '/me', headers: bearer(user.accessToken) })
    t.equal(res.statusCode, 200, user.email)
    t.same(json(res), { id: user.userId, email: user.email, session_id: user.sessionId, degraded: false })
  }
})

t.test('every seeded refresh token rotates within its own live session', async (t) => {
  const rotated: Tokens[] = []
  for (const user of seeded.users) {
    const res = await refresh(app, user.refreshToken)
    t.equal(res.statusCode, 200, user.email)
    const body = json<Tokens>(res)
    t.equal(body.session_id, user.sessionId, 'same family')
    t.not(body.refresh_token, user.refreshToken)
    rotated.push(body)
  }
  // The seeded session is an ordinary one: listed for its user (strict route, so it is live in Redis), marked as seeded.
  const list = json<{ sessions: Array<{ id: string, user_agent: string }> }>(
    await app.inject({ url: '/auth/sessions', headers: bearer(rotated[0]!.access_token) }))
  t.same(list.sessions.map((s) => [s.id, s.user_agent]), [[seeded.users[0]!.sessionId, SEED_USER_AGENT]])
})

t.test('a seeded user logs in with the shared password and not with another', async (t) => {
  const user = seeded.users[COUNT - 1]!
  const ok = await login(app, user.email, SEED_PASSWORD)
  t.equal(ok.statusCode, 200)
  const me = await app.inject({ url: '/me', headers: bearer(json<Tokens>(ok).access_token) })
  t.equal(json(me).email, user.email)
  t.equal((await login(app, user.email, 'not the seeded password')).statusCode, 400)
})

t.test('hashes the password once with argon2id and stores that hash for every user', async (t) => {
  const raw = await rawRedis(t)
  const keys = createKeyNames(prefix)
  const hashes = await Promise.all(seeded.users.map((u) => raw.hget(keys.user(u.userId), 'ph')))
  t.equal(new Set(hashes).size, 1, 'one hash, shared')
  t.match(hashes[0], /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/, 'the real hasher and its OWASP parameters')
})

t.test('refuses to seed an email that already exists and leaves that account alone', async (t) => {
  await t.rejects(seedUsers(ctx, { count: 3, password: SEED_PASSWORD, emailDomain: seeded.emailDomain }), /seed-\d@.* already exists/)
  const res = await login(app, seeded.users[0]!.email, SEED_PASSWORD)
  t.equal(res.statusCode, 200, 'the existing user still logs in with its password')
})

t.test('rejects a count out of range, a password of the wrong length and an unusable domain', async (t) => {
  await t.rejects(seedUsers(ctx, { count: 0, password: SEED_PASSWORD }), RangeError)
  await t.rejects(seedUsers(ctx, { count: 1.5, password: SEED_PASSWORD }), RangeError)
  await t.rejects(seedUsers(ctx, { count: 1, password: 'short' }), /8 to 1024/)
  await t.rejects(seedUsers(ctx, { count: 1, password: SEED_PASSWORD, emailDomain: 'Upper.Example' }), /email domain/)
})
