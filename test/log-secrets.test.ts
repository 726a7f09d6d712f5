// No token or password reaches the log, whatever the client does with them (ASVS 7.1.1): tokens in the query string,
// in a path no route matches, in the Authorization header (once or twice), in the refresh cookie, in bodies that fail
// to parse or validate, and in errors. Captured from the real log stream at trace level.
import t from 'tap'
import { loggedUrl } from '../src/log.js'
import { json, PASSWORD, registerAndLogin } from './helper.js'
import { appWithLogCapture } from './log-capture.js'

t.test('keeps tokens and passwords out of every log line, query strings out of request lines', async (t) => {
  const { app, lines } = await appWithLogCapture(t, { level: 'trace' })
  const user = await registerAndLogin(app)
  const browser = await registerAndLogin(app, 'cookie')
  const access = user.accessToken
  const refreshToken = user.refreshToken
  const cookie = { [app.refreshCookie.name]: browser.refreshToken }
  const xhr = { 'x-requested-with': 'XMLHttpRequest' }

  const calls = [
    app.inject({ method: 'GET', url: `/me?access_token=${access}` }),
    app.inject({ method: 'GET', url: `/me?x=1&access_token=${access}#frag`, headers: { authorization: `Bearer ${access}` } }),
    app.inject({ method: 'GET', url: `/.well-known/jwks.json?token=${refreshToken}` }),
    app.inject({ method: 'GET', url: `/auth/refresh/${refreshToken}` }),
    app.inject({ method: 'GET', url: `/${access}` }),
    app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${access}` } }),
    app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${access}x` } }),
    app.inject({ method: 'POST', url: '/auth/refresh', headers: xhr, cookies: cookie }),
    app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: `${refreshToken}` } }),
    app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: `${refreshToken}`, extra: access } }),
    app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'content-type': 'application/json' }, payload: `{"refresh_token":"${refreshToken}"` }),
    app.inject({ method: 'POST', url: '/auth/token', payload: { email: user.email, password: PASSWORD } }),
    app.inject({ method: 'POST', url: '/auth/token', payload: { email: user.email, password: `${PASSWORD}!wrong` } }),
    app.inject({ method: 'POST', url: '/auth/token', payload: { email: user.email, password: PASSWORD, refresh_delivery: access } }),
    app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: refreshToken } })
  ]
  const answers = await Promise.all(calls)
  t.ok(answers.every((res) => res.statusCode < 500), 'no call failed on the server side')
  const minted = [json<{ access_token?: string }>(answers[11]!).access_token!]

  const everything = lines.join('')
  for (const secret of [access, refreshToken, browser.refreshToken, browser.accessToken, PASSWORD, ...minted]) {
    t.notOk(everything.includes(secret), `no ${secret.slice(0, 6)}… anywhere in ${lines.length} lines`)
  }
  // Not even the signature part of a token (what a truncating logger might keep).
  t.notOk(everything.includes(access.split('.')[2]!), 'no access-token signature')
  const urls = lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter((u) => u !== undefined)
  t.ok(urls.length >= calls.length, 'every request was logged')
  t.ok(urls.every((u) => !u.includes('?') && !u.includes('#')), 'no query string or fragment')
  t.ok(urls.includes('/me') && urls.includes('/.well-known/jwks.json'), 'paths of our routes are kept')
})

t.test('logs matched paths whole and unmatched ones only up to their first segment', async (t) => {
  t.equal(loggedUrl({ url: '/auth/sessions/abc?x=1', routeOptions: { url: '/auth/sessions/:id' } }), '/auth/sessions/abc')
  t.equal(loggedUrl({ url: '/auth/refresh/v1.a.b.c.secret', routeOptions: {} }), '/auth/…')
  t.equal(loggedUrl({ url: '/eyJhbGciOi.payload.signature', routeOptions: {} }), '/eyJhbGciOi.payload.signature'.slice(0, 64))
  t.equal(loggedUrl({ url: `/${'x'.repeat(100)}`, routeOptions: {} }).length, 64)
})
