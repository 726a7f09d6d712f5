// Reuse detection and forged tokens: a replayed old token revokes its whole family; a forged one touches nobody.
import t from 'tap'
import { buildTestApp, json, manualClock, rawRedis, refresh, registerAndLogin } from './helper.js'

type Tokens = { refresh_token: string, access_token: string }

t.test('revokes the family when the predecessor is replayed after the grace window', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const user = await registerAndLogin(app)
  const successor = json<Tokens>(await refresh(app, user.refreshToken)).refresh_token
  clock.advance(10_001)
  const replay = await refresh(app, user.refreshToken)
  t.equal(replay.statusCode, 400)
  t.same(json(replay), { error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked' })
  const afterwards = await refresh(app, successor)
  t.equal(afterwards.statusCode, 400, 'the successor dies with its family')
  t.equal(json(afterwards).error, 'invalid_grant')
})

t.test('treats a grandparent token as reuse even inside the grace window', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const second = json<Tokens>(await refresh(app, user.refreshToken)).refresh_token
  const third = json<Tokens>(await refresh(app, second)).refresh_token
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400, 'generation 1 is two behind')
  t.equal((await refresh(app, third)).statusCode, 400, 'the whole family is revoked')
})

t.test('revokes only the family of the reused token, not the user\'s other sessions', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const user = await registerAndLogin(app)
  const other = await app.inject({ method: 'POST', url: '/auth/token', payload: { email: user.email, password: 'correct horse battery staple' } })
  const otherToken = json<Tokens>(other).refresh_token
  await refresh(app, user.refreshToken)
  clock.advance(60_000)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400)
  t.equal((await refresh(app, otherToken)).statusCode, 200, 'the other device is unaffected')
})

t.test('rejects a token with a forged family id without revoking the victim\'s family', async (t) => {
  const app = await buildTestApp(t)
  const victim = await registerAndLogin(app)
  const attacker = await registerAndLogin(app)
  // The attacker knows the victim's user and family ids (e.g. from a leaked access token's sub and sid claims)
  // and grafts them onto an old token of their own, hoping to trigger reuse detection on the victim's family.
  const parts = attacker.refreshToken.split('.')
  const forged = ['v1', victim.userId, victim.sessionId, '1', parts[4], parts[5]].join('.')
  const res = await refresh(app, forged)
  t.equal(res.statusCode, 400)
  t.equal(json(res).error, 'invalid_grant')
  t.equal((await refresh(app, victim.refreshToken)).statusCode, 200, 'the victim keeps their session')
})

t.test('rejects an altered generation or secret without touching the family', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const parts = user.refreshToken.split('.')
  const bumped = [...parts.slice(0, 3), '7', ...parts.slice(4)].join('.')
  const flipped = [...parts.slice(0, 4), (parts[4]![0] === 'A' ? 'B' : 'A') + parts[4]!.slice(1), parts[5]].join('.')
  for (const token of [bumped, flipped, user.refreshToken + 'x', 'not-a-token', '']) {
    const res = await refresh(app, token)
    t.equal(res.statusCode, 400, `rejects ${JSON.stringify(token.slice(0, 12))}…`)
  }
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'the genuine token still works')
})

t.test('stores no usable token in Redis, only hashes and a nonce', async (t) => {
  const app = await buildTestApp(t)
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  const next = json<Tokens>(await refresh(app, user.refreshToken)).refresh_token
  const prefix = app.config.redis.keyPrefix
  const keys = await redis.keys(`${prefix}*`)
  const read = async (key: string): Promise<unknown> => {
    const type = await redis.type(key)
    if (type === 'hash') return redis.hgetall(key)
    if (type === 'zset') return redis.zrange(key, 0, -1)
    return redis.get(key)
  }
  const dump = (await Promise.all(keys.map(async (k) => JSON.stringify(await read(k))))).join('\n')
  t.ok(keys.length >= 3, 'user, family index and family were written')
  for (const token of [user.refreshToken, next]) {
    const secret = token.split('.')[4]!
    t.notOk(dump.includes(secret), 'no refresh secret is stored')
    t.notOk(dump.includes(token.split('.')[5]!), 'no MAC is stored')
  }
})
