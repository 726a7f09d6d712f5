// CORS for the browser client: only ALLOWED_ORIGINS (the test app allows exactly https://app.example.com) may read
// responses or send credentials cross-origin (Fetch standard, CORS protocol; OWASP HTML5 Security: CORS).
// X-Requested-With is not CORS-safelisted, so a cross-origin cookie request needs this preflight to pass first.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, json, registerAndLogin } from './helper.js'

const ALLOWED = 'https://app.example.com'
const COOKIE = '__Secure-rotor_refresh'

function preflight (app: FastifyInstance, origin: string, url = '/auth/refresh') {
  return app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-requested-with,content-type'
    }
  })
}

t.test('answers a preflight from the allowed origin with that exact origin and credentials', async (t) => {
  const app = await buildTestApp(t)
  const res = await preflight(app, ALLOWED)
  t.ok(res.statusCode >= 200 && res.statusCode < 300, `preflight succeeds (got ${res.statusCode})`)
  t.equal(res.headers['access-control-allow-origin'], ALLOWED, 'the origin itself, never *, since credentials are allowed')
  t.equal(res.headers['access-control-allow-credentials'], 'true')
  const allowedHeaders = String(res.headers['access-control-allow-headers'] ?? '').toLowerCase().split(/\s*,\s*/)
  t.ok(allowedHeaders.includes('x-requested-with'), 'the CSRF header may be sent')
  t.ok(allowedHeaders.includes('content-type'))
  t.match(String(res.headers['access-control-allow-methods']), /POST/)
  t.match(String(res.headers.vary), /origin/i, 'caches must key the answer on Origin')
})

t.test('lets the allowed origin read a cookie refresh response', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app, 'cookie')
  const res = await app.inject({
    method: 'POST',
    url: '/auth/refresh',
    headers: { origin: ALLOWED, 'x-requested-with': 'XMLHttpRequest' },
    cookies: { [COOKIE]: user.refreshToken }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['access-control-allow-origin'], ALLOWED)
  t.equal(res.headers['access-control-allow-credentials'], 'true')
})

t.test('gives a preflight from any other origin no Access-Control-Allow-Origin', async (t) => {
  const app = await buildTestApp(t)
  for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'null']) {
    const res = await preflight(app, origin)
    // Without Access-Control-Allow-Origin the browser's CORS check fails, whatever else the answer says.
    t.notOk('access-control-allow-origin' in res.headers, `no ACAO for ${origin}`)
  }
})

t.test('gives a request from another origin no Access-Control-Allow-Origin and rejects its cookie', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app, 'cookie')
  const health = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example.com' } })
  t.equal(health.statusCode, 200)
  t.notOk('access-control-allow-origin' in health.headers, 'the browser will not expose the response')
  const res = await app.inject({
    method: 'POST',
    url: '/auth/refresh',
    headers: { origin: 'https://evil.example.com', 'x-requested-with': 'XMLHttpRequest' },
    cookies: { [COOKIE]: user.refreshToken }
  })
  t.equal(res.statusCode, 403, 'even a client that skips CORS is stopped by the Origin check')
  t.equal(json(res).error, 'csrf_rejected')
  t.notOk('access-control-allow-origin' in res.headers)
})
