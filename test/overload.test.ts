// Load shedding: while the process is over a configured threshold, requests get an immediate 503
// temporarily_unavailable in the usual error shape with Retry-After (RFC 9110 §15.6.4), except liveness, metrics and
// the JWKS, which must keep answering. A heap threshold of 1 byte makes "overloaded" deterministic without burning CPU.
import t from 'tap'
import { bearer, buildTestApp, json, registerAndLogin, uniquePrefix } from './helper.js'
import { waitFor } from './metrics-scrape.js'

t.test('sheds requests with 503 temporarily_unavailable and Retry-After while over a threshold', async (t) => {
  // The user comes from a healthy instance on the same Redis and keys: the overloaded one refuses registration.
  const prefix = uniquePrefix()
  const user = await registerAndLogin(await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix } }))
  const app = await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix, OVERLOAD_MAX_HEAP_USED_BYTES: '1', OVERLOAD_SAMPLE_INTERVAL_MS: '10' } })
  t.ok(await waitFor(() => app.isUnderPressure()), 'the first sample reports the overload')

  const requests = {
    login: { method: 'POST' as const, url: '/auth/token', payload: { email: user.email, password: 'correct horse battery staple' } },
    me: { method: 'GET' as const, url: '/me', headers: bearer(user.accessToken) },
    readiness: { method: 'GET' as const, url: '/readyz' }
  }
  for (const [what, request] of Object.entries(requests)) {
    const res = await app.inject(request)
    t.equal(res.statusCode, 503, `${what}: 503`)
    t.same(json(res), { error: 'temporarily_unavailable', error_description: 'The server is overloaded; retry shortly' }, `${what}: our error shape`)
    t.equal(res.headers['retry-after'], '1', `${what}: Retry-After covers the next sample`)
  }

  for (const url of ['/healthz', '/metrics', '/.well-known/jwks.json']) {
    t.equal((await app.inject({ url })).statusCode, 200, `${url} keeps answering`)
  }
  t.same(json(await app.inject({ url: '/healthz' })), { status: 'ok' }, 'liveness is ours, not the plugin\'s')
})

t.test('serves normally under the default thresholds and exposes no status route of its own', async (t) => {
  const app = await buildTestApp(t)
  t.equal(app.isUnderPressure(), false)
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200)
  const status = await app.inject({ url: '/status' })
  t.equal(status.statusCode, 404)
  t.equal(json(status).error, 'not_found')
})
