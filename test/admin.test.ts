// The admin API: admin role required; disabling a user or changing roles ends their sessions everywhere.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { decodeJwt } from 'jose'
import { bearer, buildTestApp, json, login, refresh, registerAndLogin, type LoggedIn } from './helper.js'

async function adminOf (app: FastifyInstance): Promise<LoggedIn> {
  const admin = await registerAndLogin(app)
  await app.users.setRoles(admin.userId, ['admin'])
  const res = await login(app, admin.email) // a new token carries the role
  return { ...admin, accessToken: json<{ access_token: string }>(res).access_token }
}

const call = (app: FastifyInstance, token: string, method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
  app.inject({ method, url: `/admin/users/${path}`, headers: bearer(token), ...(payload !== undefined ? { payload } : {}) })

t.test('refuses callers without the admin role with 403 insufficient_scope', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const res = await call(app, user.accessToken, 'GET', user.userId)
  t.equal(res.statusCode, 403)
  t.equal(json(res).error, 'insufficient_scope')
  t.equal(res.headers['www-authenticate'], 'Bearer error="insufficient_scope"')
  t.equal((await app.inject({ url: `/admin/users/${user.userId}` })).statusCode, 401, 'no token at all')
})

t.test('reads a user without exposing the password hash', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminOf(app)
  const user = await registerAndLogin(app)
  const res = await call(app, admin.accessToken, 'GET', user.userId)
  t.equal(res.statusCode, 200)
  const body = json(res)
  t.same(Object.keys(body).sort(), ['active_sessions', 'created_at', 'disabled', 'email', 'id', 'roles', 'session_version'])
  t.match(body, { id: user.userId, email: user.email, roles: [], disabled: false, active_sessions: 1 })
  t.equal((await call(app, admin.accessToken, 'GET', 'AAAAAAAAAAAAAAAAAAAAAA')).statusCode, 404, 'unknown user')
  t.equal((await call(app, admin.accessToken, 'GET', 'not-an-id')).statusCode, 400, 'malformed id')
})

t.test('disables a user: sessions end, login is refused like a wrong password, and enabling restores login', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminOf(app)
  const user = await registerAndLogin(app)
  t.equal((await call(app, admin.accessToken, 'POST', `${user.userId}/disable`)).statusCode, 204)
  t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 401, 'access token dead')
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400, 'refresh token dead')
  const refused = await login(app, user.email)
  const wrong = await login(app, user.email, 'definitely the wrong password')
  t.equal(refused.statusCode, 400)
  t.equal(refused.body, wrong.body, 'no account-state oracle')
  t.equal((await call(app, admin.accessToken, 'POST', `${user.userId}/enable`)).statusCode, 204)
  t.equal((await login(app, user.email)).statusCode, 200)
})

t.test('replaces roles, ends the user\'s sessions, and new tokens carry the roles', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminOf(app)
  const user = await registerAndLogin(app)
  const res = await call(app, admin.accessToken, 'PUT', `${user.userId}/roles`, { roles: ['support', 'billing'] })
  t.equal(res.statusCode, 200)
  t.same(json(res).roles, ['support', 'billing'])
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400, 'old sessions ended')
  const token = json<{ access_token: string }>(await login(app, user.email)).access_token
  t.same(decodeJwt(token).roles, ['support', 'billing'])
  t.equal((await call(app, admin.accessToken, 'PUT', `${user.userId}/roles`, { roles: ['Not Valid'] })).statusCode, 400)
})

t.test('revokes every session of a user', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminOf(app)
  const user = await registerAndLogin(app)
  t.equal((await call(app, admin.accessToken, 'POST', `${user.userId}/revoke-sessions`)).statusCode, 204)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400)
  t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 401)
  t.equal((await call(app, admin.accessToken, 'POST', 'AAAAAAAAAAAAAAAAAAAAAA/revoke-sessions')).statusCode, 404)
})

t.test('an admin whose role is removed loses admin access at once', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminOf(app)
  const other = await adminOf(app)
  await call(app, other.accessToken, 'PUT', `${admin.userId}/roles`, { roles: [] })
  t.equal((await call(app, admin.accessToken, 'GET', other.userId)).statusCode, 401, 'the old token is revoked')
})
