// POST /auth/password: every other session dies; this device gets a new family and tokens.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, buildTestApp, json, login, PASSWORD, refresh, registerAndLogin, uniquePrefix } from './helper.js'

const NEW_PASSWORD = 'a brand new passphrase 2026'
type Tokens = { access_token: string, refresh_token: string, session_id: string }

const change = (app: FastifyInstance, accessToken: string, payload: Record<string, string>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/auth/password', headers: { ...bearer(accessToken), ...headers }, payload })

t.test('changes the password, ends every session and starts a fresh one for this device', async (t) => {
  const env = { REDIS_KEY_PREFIX: uniquePrefix() }
  const a = await buildTestApp(t, { env })
  const b = await buildTestApp(t, { env })
  const phone = await registerAndLogin(a)
  const laptop = json<Tokens>(await login(a, phone.email))

  const res = await change(a, phone.accessToken, { current_password: PASSWORD, new_password: NEW_PASSWORD })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const fresh = json<Tokens>(res)
  t.not(fresh.session_id, phone.sessionId, 'a new family: identifiers regenerate on a privilege change')

  t.equal((await refresh(a, laptop.refresh_token)).statusCode, 400, 'the other device is logged out')
  t.equal((await refresh(a, phone.refreshToken)).statusCode, 400, 'the old family of this device too')
  t.equal((await b.inject({ url: '/me', headers: bearer(laptop.access_token) })).statusCode, 401, 'old access tokens die everywhere')
  t.equal((await b.inject({ url: '/me', headers: bearer(phone.accessToken) })).statusCode, 401)
  t.equal((await b.inject({ url: '/me', headers: bearer(fresh.access_token) })).statusCode, 200, 'the new access token works')
  t.equal((await refresh(b, fresh.refresh_token)).statusCode, 200, 'the new refresh token works')

  t.equal((await login(a, phone.email)).statusCode, 400, 'the old password no longer logs in')
  t.equal((await login(a, phone.email, NEW_PASSWORD)).statusCode, 200, 'the new one does')
})

t.test('refuses a wrong current password and changes nothing', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const res = await change(app, user.accessToken, { current_password: 'not the password', new_password: NEW_PASSWORD })
  t.equal(res.statusCode, 400)
  t.equal(json(res).error, 'invalid_grant')
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'sessions are untouched')
  t.equal((await login(app, user.email)).statusCode, 200, 'the old password still works')
})

t.test('refuses a new password outside 8-1024 bytes and an unknown field', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const short = await change(app, user.accessToken, { current_password: PASSWORD, new_password: 'short' })
  t.equal(short.statusCode, 400)
  t.equal(json(short).error, 'invalid_request')
  const extra = await change(app, user.accessToken, { current_password: PASSWORD, new_password: NEW_PASSWORD, user_id: 'x' })
  t.equal(extra.statusCode, 400)
  t.equal((await login(app, user.email)).statusCode, 200, 'nothing changed')
})

t.test('needs a live session: a revoked one gets 401 even before its access token expires', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  await app.sessions.revokeFamily(user.userId, user.sessionId, 'logout') // store only: the strict check must see it
  const res = await change(app, user.accessToken, { current_password: PASSWORD, new_password: NEW_PASSWORD })
  t.equal(res.statusCode, 401)
  t.equal((await login(app, user.email)).statusCode, 200, 'the password is unchanged')
})

t.test('delivers the new refresh token as a cookie on request, with the CSRF rule', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const body = { current_password: PASSWORD, new_password: NEW_PASSWORD, refresh_delivery: 'cookie' }
  t.equal((await change(app, user.accessToken, body)).statusCode, 403, 'no X-Requested-With')
  const res = await change(app, user.accessToken, body, { 'x-requested-with': 'fetch' })
  t.equal(res.statusCode, 200)
  t.notOk('refresh_token' in json(res), 'not in the body')
  t.ok(res.cookies.some((c) => c.name === '__Secure-rotor_refresh' && c.value !== ''), 'in the cookie')
})
