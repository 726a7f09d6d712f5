// CORS beyond the basics (cookies-csrf-cors.test.ts): a stranger's preflight is refused outright, the allowed methods
// are the ones the routes serve, the headers a client acts on are exposed, and a same-origin page needs no listing.
// The test app allows exactly https://app.example.com.
import t from 'tap'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { parse } from 'yaml'
import { OPENAPI_PATH } from '../scripts/openapi.js'
import { buildTestApp, json, registerAndLogin } from './helper.js'

const ALLOWED = 'https://app.example.com'

function preflight (app: FastifyInstance, origin: string, url = '/auth/refresh', method = 'POST') {
  return app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method } })
}

t.test('refuses a preflight from any other origin with 403 origin_not_allowed, never a 204', async (t) => {
  const app = await buildTestApp(t)
  for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'null']) {
    const res = await preflight(app, origin)
    t.equal(res.statusCode, 403, origin)
    t.same(json(res), { error: 'origin_not_allowed', error_description: 'This origin is not allowed to make cross-origin requests' })
    t.notOk('access-control-allow-origin' in res.headers)
    t.notOk('access-control-allow-methods' in res.headers)
  }
  const noOrigins = await buildTestApp(t, { env: { ALLOWED_ORIGINS: '' } })
  t.equal((await preflight(noOrigins, ALLOWED)).statusCode, 403, 'with no ALLOWED_ORIGINS every preflight is refused')
})

t.test('answers an OPTIONS that is not a preflight as a method we do not serve, and a preflight for no route with 404', async (t) => {
  const app = await buildTestApp(t)
  const plain = await app.inject({ method: 'OPTIONS', url: '/auth/token' })
  t.equal(plain.statusCode, 405)
  t.equal(json(plain).error, 'method_not_allowed')
  t.equal(plain.headers.allow, 'POST')
  const noMethod = await app.inject({ method: 'OPTIONS', url: '/auth/token', headers: { origin: ALLOWED } })
  t.equal(noMethod.statusCode, 405, 'Origin without Access-Control-Request-Method is no preflight either')
  const nowhere = await preflight(app, ALLOWED, '/no/such/route')
  t.equal(nowhere.statusCode, 404)
  t.equal(json(nowhere).error, 'not_found')
})

t.test('allows in a preflight every method some route serves, PUT included', async (t) => {
  const app = await buildTestApp(t)
  const res = await preflight(app, ALLOWED, '/admin/users/AAAAAAAAAAAAAAAAAAAAAA/roles', 'PUT')
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], ALLOWED)
  const allowed = String(res.headers['access-control-allow-methods']).split(/\s*,\s*/)
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, unknown>> }
  const served = new Set(Object.values(doc.paths).flatMap((methods) => Object.keys(methods).map((m) => m.toUpperCase())))
  for (const method of served) t.ok(allowed.includes(method), `${method} is allowed`)
  t.ok(allowed.includes('PUT'))
})

t.test('exposes Retry-After, WWW-Authenticate and Date to an allowed origin', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/me', headers: { origin: ALLOWED, authorization: 'Bearer not-a-token' } })
  t.equal(res.statusCode, 401)
  t.equal(res.headers['access-control-allow-origin'], ALLOWED, 'error answers are readable by the allowed origin too')
  t.ok(res.headers['www-authenticate'])
  const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(/\s*,\s*/)
  for (const header of ['retry-after', 'www-authenticate', 'date', 'x-ratelimit-remaining']) t.ok(exposed.includes(header), header)
})

function cookieRefresh (app: FastifyInstance, refreshToken: string, headers: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url: '/auth/refresh',
    headers: { 'x-requested-with': 'XMLHttpRequest', ...headers },
    cookies: { '__Secure-rotor_refresh': refreshToken }
  })
}

t.test('accepts a cookie request from the page\'s own origin without listing it, and nothing near it', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app, 'cookie')
  // inject speaks plain HTTP: the request's own origin is http:// plus its Host.
  const same = await cookieRefresh(app, user.refreshToken, { host: 'auth.example.com', origin: 'http://auth.example.com' })
  t.equal(same.statusCode, 200, 'Origin equal to scheme://Host is same-origin (RFC 6454)')
  t.notOk('access-control-allow-origin' in same.headers, 'a same-origin answer needs no CORS header')
  for (const origin of ['https://auth.example.com', 'http://auth.example.com:8080', 'http://other.example.com']) {
    const res = await cookieRefresh(app, user.refreshToken, { host: 'auth.example.com', origin })
    t.equal(res.statusCode, 403, `${origin} is another origin`)
    t.equal(json(res).error, 'csrf_rejected')
  }
})

t.test('sees the origin through TRUST_PROXY only: forwarded scheme and host count from a trusted proxy alone', async (t) => {
  const forwarded = { host: 'rotor.internal:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'auth.example.com', origin: 'https://auth.example.com' }
  const behindProxy = await buildTestApp(t, { env: { TRUST_PROXY: '127.0.0.1' } })
  const user = await registerAndLogin(behindProxy, 'cookie')
  t.equal((await cookieRefresh(behindProxy, user.refreshToken, forwarded)).statusCode, 200, 'the public origin, as the trusted proxy tells it')

  const direct = await buildTestApp(t)
  const other = await registerAndLogin(direct, 'cookie')
  const res = await cookieRefresh(direct, other.refreshToken, forwarded)
  t.equal(res.statusCode, 403, 'an untrusted peer cannot claim an origin with X-Forwarded-*')
  t.equal(json(res).error, 'csrf_rejected')
})
