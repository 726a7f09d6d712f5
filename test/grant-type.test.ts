// grant_type on /auth/token (password) and /auth/refresh (refresh_token): optional, since each path serves one grant;
// another grant is 400 unsupported_grant_type (RFC 6749 §5.2), an empty value counts as absent (RFC 6749 §3.1),
// and a repeated or non-string one is malformed (invalid_request).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, json, PASSWORD, register, registerAndLogin } from './helper.js'

function token (app: FastifyInstance, body: Record<string, unknown> | string) {
  return typeof body === 'string'
    ? app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body })
    : app.inject({ method: 'POST', url: '/auth/token', payload: body })
}

t.test('answers unsupported_grant_type for any other grant on /auth/token, JSON or form', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  for (const grantType of ['client_credentials', 'refresh_token', 'authorization_code', 'PASSWORD', 'urn:x']) {
    const res = await token(app, { grant_type: grantType, email: user.email, password: PASSWORD })
    t.equal(res.statusCode, 400, grantType)
    t.same(json(res), { error: 'unsupported_grant_type', error_description: 'This endpoint serves grant_type=password only' })
    t.notMatch(res.body, /access_token/)
  }
  const viaForm = await token(app, `grant_type=client_credentials&email=${encodeURIComponent(user.email)}&password=x`)
  t.equal(json(viaForm).error, 'unsupported_grant_type', 'checked before the rest of the body, also in a form')
  const alone = await token(app, { grant_type: 'client_credentials' })
  t.equal(json(alone).error, 'unsupported_grant_type', 'reported first: the other fields do not matter for a grant we lack')
})

t.test('logs in with grant_type=password, an empty grant_type or none', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  for (const grantType of ['password', '', undefined]) {
    const res = await token(app, { grant_type: grantType, email: user.email, password: PASSWORD })
    t.equal(res.statusCode, 200, `grant_type ${JSON.stringify(grantType)}`)
  }
  const viaForm = await token(app, `grant_type=password&email=${encodeURIComponent(user.email)}&password=${encodeURIComponent(PASSWORD)}`)
  t.equal(viaForm.statusCode, 200, 'the OAuth-style form post')
})

t.test('rejects a repeated or non-string grant_type as invalid_request', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  const repeated = await token(app, `grant_type=password&grant_type=password&email=${encodeURIComponent(user.email)}&password=${encodeURIComponent(PASSWORD)}`)
  t.equal(repeated.statusCode, 400)
  t.equal(json(repeated).error, 'invalid_request', 'RFC 6749 §3.1: parameters must not be repeated')
  for (const grantType of [1, null, ['password'], { type: 'password' }]) {
    const res = await token(app, { grant_type: grantType, email: user.email, password: PASSWORD })
    t.equal(json(res).error, 'invalid_request', JSON.stringify(grantType))
  }
})

t.test('answers unsupported_grant_type on /auth/refresh for any grant but refresh_token, rotating nothing', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const refresh = (body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/auth/refresh', payload: body })
  const wrong = await refresh({ grant_type: 'password', refresh_token: user.refreshToken })
  t.equal(wrong.statusCode, 400)
  t.same(json(wrong), { error: 'unsupported_grant_type', error_description: 'This endpoint serves grant_type=refresh_token only' })
  const right = await refresh({ grant_type: 'refresh_token', refresh_token: user.refreshToken })
  t.equal(right.statusCode, 200, 'the token was not consumed by the refused call')
  const empty = await refresh({ grant_type: '', refresh_token: json<{ refresh_token: string }>(right).refresh_token })
  t.equal(empty.statusCode, 200, 'an empty grant_type counts as absent')
})

t.test('keeps form bodies off /auth/refresh: 415, not a grant', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const res = await app.inject({
    method: 'POST',
    url: '/auth/refresh',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `grant_type=refresh_token&refresh_token=${user.refreshToken}`
  })
  t.equal(res.statusCode, 415)
  t.equal(json(res).error, 'unsupported_media_type')
})
