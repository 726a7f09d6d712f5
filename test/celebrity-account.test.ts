// One account with 10,000 sessions ("celebrity") must not slow Redis for anyone: login, listing and logout-all read a
// bounded number of the user hash's fields, never all of them. One such account serves every test, in order, the
// destructive logout-all last (each of its 10,000 sessions costs a script call to create). Costs are Redis-side (SLOWLOG microseconds of the
// script, median of several calls) and structural (which commands the script ran), never a wall clock.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { scriptMicros } from '../bench/script-cost.js'
import { median } from '../bench/stats.js'
import { createKeyNames } from '../src/key-names.js'
import { createRefreshTokenCodec } from '../src/sessions/refresh-token.js'
import { createSessionStore } from '../src/sessions/session-store.js'
import { buildTestApp, json, rawRedis, refresh, REFRESH_SECRET, registerAndLogin, uniqueEmail } from './helper.js'

// Above 10,000 from start to end: the measured logins shrink the account by about one each.
const CELEBRITY_SESSIONS = 10_100
const RUNS = 25
const DEVICE = { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/126.0.0.0 Safari/537.36', ip: '203.0.113.9' }

/** Sessions created straight through the store with no limit (no argon2): how an account got this big before a cap. */
async function addSessions (app: FastifyInstance, userId: string, count: number): Promise<void> {
  const unlimited = createSessionStore({
    redis: app.redis, keys: createKeyNames(app.config.redis.keyPrefix), codec: createRefreshTokenCodec(REFRESH_SECRET),
    policy: { ...app.config.refresh, maxSessionsPerUser: 0 }
  })
  for (let done = 0; done < count; done += 500) {
    await Promise.all(Array.from({ length: Math.min(500, count - done) }, () => unlimited.createFamily({ userId, ...DEVICE })))
  }
}

const userKey = (app: FastifyInstance, userId: string) => `${app.config.redis.keyPrefix}{${userId}}:user`

/** Users with no password worth hashing: the logins measured here go straight to the store. */
async function plainUsers (app: FastifyInstance, count: number): Promise<string[]> {
  const users = await Promise.all(Array.from({ length: count }, () => app.users.create({ email: uniqueEmail(), passwordHash: 'unused' })))
  return users.map((u) => u!.id)
}

/** Calls of each command run inside scripts or outside, from INFO commandstats. */
async function commandCalls (redis: Redis): Promise<Record<string, number>> {
  const calls: Record<string, number> = {}
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2])
  return calls
}

const app = await buildTestApp(t)
const redis = await rawRedis(t)
const celebrity = await registerAndLogin(app)
const fieldsBefore = await redis.hlen(userKey(app, celebrity.userId))
await addSessions(app, celebrity.userId, CELEBRITY_SESSIONS)

t.test('the account holds every session', async (t) => {
  t.equal(await redis.hlen(userKey(app, celebrity.userId)), fieldsBefore + CELEBRITY_SESSIONS)
})

t.test('listing a 10,000-session account stays bounded', async (t) => {
  const listed = await app.inject({ url: '/auth/sessions', headers: { authorization: `Bearer ${celebrity.accessToken}` } })
  t.equal(listed.statusCode, 200)
  t.ok(json<{ sessions: unknown[] }>(listed).sessions.length <= app.config.refresh.maxSessionsPerUser, 'at most MAX_SESSIONS_PER_USER listed')
})

t.test('a login on a 10,000-session account costs Redis about what a login on a one-session account does', async (t) => {
  const singles = await plainUsers(app, RUNS)
  for (const id of singles) await addSessions(app, id, 1)
  const sizeBefore = await redis.hlen(userKey(app, celebrity.userId))

  // Interleaved, so both kinds of login see the same load on a shared machine.
  const before = await commandCalls(redis)
  let ok = 0
  const micros = await scriptMicros(redis, 'create-family', [...singles, celebrity.userId].map((id) => userKey(app, id)), async () => {
    for (const userId of singles) {
      if ((await app.sessions.createFamily({ userId, ...DEVICE })).ok) ok++
      if ((await app.sessions.createFamily({ userId: celebrity.userId, ...DEVICE })).ok) ok++
    }
  })
  const after = await commandCalls(redis)
  t.equal(ok, 2 * RUNS, 'every login succeeded')
  const single = micros.filter((_, i) => i % 2 === 0)
  const big = micros.filter((_, i) => i % 2 === 1)
  t.equal(single.length, RUNS, 'every one-session login was measured')
  t.equal(big.length, RUNS, 'every celebrity login was measured')
  t.comment(`create-family median: one session ${median(single)} µs, ${CELEBRITY_SESSIONS} sessions ${median(big)} µs`)
  t.ok(median(big) <= 2 * median(single), `within 2× (${median(big)} vs ${median(single)} µs)`)
  t.equal((after.hgetall ?? 0) - (before.hgetall ?? 0), RUNS, 'only the one-session logins read their (small) hash whole')
  t.equal((after.hrandfield ?? 0) - (before.hrandfield ?? 0), RUNS, 'each celebrity login sampled it once')
  t.ok(await redis.hlen(userKey(app, celebrity.userId)) < sizeBefore, 'and the logins shrank the account towards the limit')
})

t.test('another user refreshes as usual while the celebrity logs in, at the same Redis-side cost', async (t) => {
  const other = await registerAndLogin(app)
  let token = other.refreshToken
  let refreshed = 0
  const rotateOnce = async () => {
    const res = await refresh(app, token)
    if (res.statusCode === 200) refreshed++
    token = json<{ refresh_token: string }>(res).refresh_token
  }
  await rotateOnce() // loads the script (EVAL once), so every measured call is an EVALSHA
  // Alternately alone and beside a celebrity login, so both kinds see the same load on a shared machine.
  const micros = await scriptMicros(redis, 'rotate-refresh-token', [userKey(app, other.userId)], async () => {
    for (let i = 0; i < RUNS; i++) {
      await rotateOnce()
      await Promise.all([rotateOnce(), app.sessions.createFamily({ userId: celebrity.userId, ...DEVICE })])
    }
  })
  t.equal(refreshed, 2 * RUNS + 1, 'every refresh of the other user succeeded')
  const alone = micros.filter((_, i) => i % 2 === 0)
  const meanwhile = micros.filter((_, i) => i % 2 === 1)
  t.equal(micros.length, 2 * RUNS, `every rotation was measured (${micros.length})`)
  t.comment(`rotate median: alone ${median(alone)} µs, during celebrity logins ${median(meanwhile)} µs`)
  t.ok(median(meanwhile) <= 2 * median(alone), `the other user's rotation is not inflated (${median(meanwhile)} vs ${median(alone)} µs)`)
})

t.test('logout-all of a 10,000-session account stays bounded and ends every session', async (t) => {
  t.ok(await redis.hlen(userKey(app, celebrity.userId)) > 10_000, 'still a 10,000-session account')
  const before = await commandCalls(redis)
  const logoutAll = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: { authorization: `Bearer ${celebrity.accessToken}` } })
  const after = await commandCalls(redis)
  t.equal(logoutAll.statusCode, 204)
  t.equal((after.hgetall ?? 0) - (before.hgetall ?? 0), 0, 'logout-all did not read the whole hash')
  t.equal((await refresh(app, celebrity.refreshToken)).statusCode, 400, 'every session created before it is dead')
})
