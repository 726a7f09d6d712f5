// Browser delivery of the refresh token: an HttpOnly __Secure- cookie scoped to /auth (RFC 6265bis §4.1.3.1,
// OWASP Session Management), and the CSRF rule for every cookie-authenticated request (OWASP CSRF Prevention:
// custom request header plus exact Origin verification).
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp, json, login, manualClock, refresh, register, registerAndLogin } from './helper.js'

const COOKIE = '__Secure-rotor_refresh'
const XRW = { 'x-requested-with': 'XMLHttpRequest' }
// With no grace window a consumed token is reuse, so "it still refreshes afterwards" proves nothing was rotated.
const NO_GRACE = { REFRESH_REUSE_GRACE_SECONDS: '0' }

function refreshByCookie (app: FastifyInstance, token: string, headers: Record<string, string> = XRW, payload?: object): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/auth/refresh', headers, cookies: { [COOKIE]: token }, ...(payload === undefined ? {} : { payload }) })
}

function cookieOf (res: LightMyRequestResponse, name = COOKIE) {
  return res.cookies.find((c) => c.name === name)
}

t.test('delivers the refresh token only as an HttpOnly, Secure, SameSite=Strict cookie scoped to /auth', async (t) => {
  const app = await buildTestApp(t, { env: { REFRESH_IDLE_TTL_SECONDS: '600', REFRESH_ABSOLUTE_TTL_SECONDS: '3600' } })
  const user = await register(app)
  const res = await login(app, user.email, undefined, 'cookie')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  t.notOk('refresh_token' in json(res), 'the refresh token never appears in the JSON body in cookie mode')
  const cookie = cookieOf(res)
  t.ok(cookie, 'the cookie carries the __Secure- prefix')
  t.match(cookie?.value, /^v1\./)
  t.equal(cookie?.httpOnly, true)
  t.equal(cookie?.secure, true)
  t.equal(cookie?.sameSite, 'Strict')
  t.equal(cookie?.path, '/auth')
  t.ok((cookie?.maxAge ?? 0) > 0, 'a persistent cookie with a Max-Age')
  t.ok((cookie?.maxAge ?? Infinity) <= 3600, 'Max-Age never exceeds REFRESH_ABSOLUTE_TTL_SECONDS')
})

t.test('names the cookie rotor_refresh without Secure when COOKIE_SECURE is false', async (t) => {
  const app = await buildTestApp(t, { env: { COOKIE_SECURE: 'false' } })
  const user = await register(app)
  const res = await login(app, user.email, undefined, 'cookie')
  t.equal(res.statusCode, 200)
  t.notOk(cookieOf(res), 'browsers refuse a __Secure- cookie without Secure, so the prefix is dropped')
  const cookie = cookieOf(res, 'rotor_refresh')
  t.ok(cookie)
  t.notOk(cookie?.secure, 'no Secure attribute')
  t.equal(cookie?.httpOnly, true)
  t.equal(cookie?.sameSite, 'Strict')
  t.equal(cookie?.path, '/auth')
})

t.test('refuses cookie delivery at login without X-Requested-With (login CSRF)', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  const res = await app.inject({
    method: 'POST', url: '/auth/token', payload: { email: user.email, password: 'correct horse battery staple', refresh_delivery: 'cookie' }
  })
  t.equal(res.statusCode, 403)
  t.equal(json(res).error, 'csrf_rejected')
  t.equal(res.cookies.length, 0, 'no cookie is set')
})

t.test('rotates a cookie token sent with no body or {} and answers with a cookie again', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app, 'cookie')
  const first = await refreshByCookie(app, user.refreshToken)
  t.equal(first.statusCode, 200, 'no body at all')
  t.notOk('refresh_token' in json(first), 'delivery mirrors how the token arrived: not in the body')
  t.equal(json(first).session_id, user.sessionId)
  const next = cookieOf(first)?.value
  t.ok(next)
  t.not(next, user.refreshToken, 'a new token arrives as the cookie')
  const second = await refreshByCookie(app, next!, XRW, {})
  t.equal(second.statusCode, 200, 'an empty JSON object works too')
  t.notOk('refresh_token' in json(second))
  t.not(cookieOf(second)?.value, next)
})

t.test('never lets a rotated cookie outlive the absolute lifetime of its family', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env: { REFRESH_IDLE_TTL_SECONDS: '2000', REFRESH_ABSOLUTE_TTL_SECONDS: '3600' } })
  const user = await registerAndLogin(app, 'cookie')
  clock.advance(1000_000)
  const res = await refreshByCookie(app, user.refreshToken)
  t.equal(res.statusCode, 200)
  const maxAge = cookieOf(res)?.maxAge ?? Infinity
  t.ok(maxAge > 0 && maxAge <= 2600, `Max-Age counts down from login, not from the refresh (got ${maxAge})`)
})

t.test('rejects a cookie refresh without a non-empty X-Requested-With and rotates nothing', async (t) => {
  const app = await buildTestApp(t, { env: NO_GRACE })
  const user = await registerAndLogin(app, 'cookie')
  const missing: Array<Record<string, string>> = [{}, { 'x-requested-with': '' }, { 'x-requested-with': '   ' }]
  for (const headers of missing) {
    const res = await refreshByCookie(app, user.refreshToken, headers)
    t.equal(res.statusCode, 403, `X-Requested-With ${JSON.stringify(headers)}`)
    t.equal(json(res).error, 'csrf_rejected')
    t.equal(res.cookies.length, 0, 'a rejected request does not touch the cookie')
  }
  const ok = await refreshByCookie(app, user.refreshToken)
  t.equal(ok.statusCode, 200, 'the cookie token was not consumed by the rejected requests')
})

t.test('accepts a cookie refresh only from an exactly allowed Origin', async (t) => {
  const app = await buildTestApp(t, { env: NO_GRACE })
  const user = await registerAndLogin(app, 'cookie')
  for (const origin of ['https://app.example.com.evil.com', 'http://app.example.com', 'null', 'https://evil.example.com']) {
    const res = await refreshByCookie(app, user.refreshToken, { ...XRW, origin })
    t.equal(res.statusCode, 403, `Origin ${origin}`)
    t.equal(json(res).error, 'csrf_rejected')
  }
  const ok = await refreshByCookie(app, user.refreshToken, { ...XRW, origin: 'https://app.example.com' })
  t.equal(ok.statusCode, 200, 'the allowed origin is accepted and the token was still unused')
  t.ok(cookieOf(ok)?.value)
})

t.test('rejects a body token and a different cookie token with 400 and consumes neither', async (t) => {
  const app = await buildTestApp(t, { env: NO_GRACE })
  const viaBody = await registerAndLogin(app)
  const viaCookie = await registerAndLogin(app, 'cookie')
  const res = await refreshByCookie(app, viaCookie.refreshToken, XRW, { refresh_token: viaBody.refreshToken })
  t.equal(res.statusCode, 400)
  t.equal(json(res).error, 'invalid_request', 'ambiguous: the server does not pick one')
  t.equal((await refresh(app, viaBody.refreshToken)).statusCode, 200, 'the body token is still unused')
  t.equal((await refreshByCookie(app, viaCookie.refreshToken)).statusCode, 200, 'the cookie token is still unused')
})

t.test('clears the cookie when a cookie refresh fails', async (t) => {
  const app = await buildTestApp(t, { env: NO_GRACE })
  const user = await registerAndLogin(app, 'cookie')
  t.equal((await refreshByCookie(app, user.refreshToken)).statusCode, 200)
  // The consumed token again (reuse), then a token of the wrong shape: both leave the browser holding nothing.
  for (const token of [user.refreshToken, 'not-a-refresh-token']) {
    const res = await refreshByCookie(app, token)
    t.equal(res.statusCode, 400)
    t.equal(json(res).error, 'invalid_grant')
    const cleared = cookieOf(res)
    t.ok(cleared, 'a Set-Cookie for the refresh cookie is sent')
    t.equal(cleared?.value, '')
    t.equal(cleared?.path, '/auth', 'same Path, or the browser would keep the original')
    const expired = cleared?.maxAge === 0 || (cleared?.expires !== undefined && cleared.expires.getTime() <= Date.now())
    t.ok(expired, 'Max-Age=0 or an Expires in the past')
  }
})
