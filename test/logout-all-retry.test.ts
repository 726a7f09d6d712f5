// POST /auth/logout-all is idempotent for its caller (RFC 7009 §2.2 in spirit: asking again to end what has ended is
// not an error): a retry with the same access token, after an answer that was lost or a 503, confirms the logout-all
// that stands instead of meeting its own revocation (401), and ends no session begun in between. Everything else a
// strict route refuses, logout-all still refuses, decided in the same script step as the bump.
import t from 'tap'
import { createKeyNames } from '../src/key-names.js'
import { bearer, buildTestApp, json, login, rawRedis, refresh, registerAndLogin } from './helper.js'

const logoutAll = (app: Awaited<ReturnType<typeof buildTestApp>>, accessToken: string) =>
  app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(accessToken) })

t.test('answers a repeated logout-all with the same token 204, bumps the version once and ends no session begun between', async (t) => {
  const app = await buildTestApp(t)
  const caller = await registerAndLogin(app)
  t.equal((await logoutAll(app, caller.accessToken)).statusCode, 204, 'the first logout-all')
  const since = json<{ access_token: string, refresh_token: string }>(await login(app, caller.email))
  const retry = await logoutAll(app, caller.accessToken)
  t.equal(retry.statusCode, 204, 'its retry is confirmed')
  t.equal(retry.body, '', 'with no body')

  const redis = await rawRedis(t)
  t.equal(await redis.hget(createKeyNames(app.config.redis.keyPrefix).user(caller.userId), 'sv'), '1', 'the version was bumped once')
  t.equal((await refresh(app, since.refresh_token)).statusCode, 200, 'the session begun in between refreshes')
  t.equal((await app.inject({ url: '/me', headers: bearer(since.access_token) })).statusCode, 200, 'and its access token verifies')
  t.equal((await app.inject({ url: '/me', headers: bearer(caller.accessToken) })).statusCode, 401, 'the old token stays dead')

  // The newer session's own logout-all is a real one: it ends the session begun in between.
  t.equal((await logoutAll(app, since.access_token)).statusCode, 204)
  t.equal((await refresh(app, since.refresh_token)).statusCode, 400, 'a second logout-all by a live session ends it')
})

t.test('refuses logout-all (401) to a token whose session is logged out, whose user is disabled or gone', async (t) => {
  const app = await buildTestApp(t)
  const keys = createKeyNames(app.config.redis.keyPrefix)
  const redis = await rawRedis(t)

  const loggedOut = await registerAndLogin(app)
  // In the store only, unannounced, so the local list cannot be what refuses it.
  await app.sessions.revokeFamily(loggedOut.userId, loggedOut.sessionId, 'logout')
  const disabled = await registerAndLogin(app)
  await app.users.setDisabled(disabled.userId, true)
  const gone = await registerAndLogin(app)
  await redis.del(keys.user(gone.userId))

  for (const [what, user] of [['logged out', loggedOut], ['disabled', disabled], ['gone', gone]] as const) {
    const res = await logoutAll(app, user.accessToken)
    t.equal(res.statusCode, 401, `${what}: 401`)
    t.equal(json(res).error, 'invalid_token', `${what}: invalid_token`)
  }
  t.equal(await redis.hget(keys.user(disabled.userId), 'sv'), '0', 'a refused logout-all bumps nothing')
})

t.test('refuses logout-all to a token whose own session was announced revoked, before any store step', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const other = json<{ access_token: string, refresh_token: string }>(await login(app, user.email))
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(user.accessToken) })).statusCode, 204)
  t.equal((await logoutAll(app, user.accessToken)).statusCode, 401, 'the logged-out session cannot end the others')
  t.equal((await refresh(app, other.refresh_token)).statusCode, 200, 'which live on')
})
