// Hostile and malformed input on /auth/register and /auth/token: always a 4xx in the { error, error_description }
// shape, never a 500 and never a stack or internal code (ASVS 7.4.1; OWASP Error Handling Cheat Sheet).
import t from 'tap'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp, json, PASSWORD, register } from './helper.js'

type Test = Pick<typeof t, 'equal' | 'match' | 'same' | 'notMatch'>
type Inject = { contentType?: string, payload: string | object }

function post (app: FastifyInstance, url: string, { contentType = 'application/json', payload }: Inject) {
  return app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload })
}

/** A client error in our shape and nothing that leaks internals. */
function assertClientError (t: Test, res: LightMyRequestResponse, status: number, code: string, label = '') {
  t.equal(res.statusCode, status, `status ${label}`)
  t.match(res.headers['content-type'], /^application\/json/, `content type ${label}`)
  const body = json(res)
  t.same(Object.keys(body).sort(), ['error', 'error_description'], `shape ${label}`)
  t.equal(body.error, code, `code ${label}`)
  t.notMatch(res.body, /stack|node_modules|\bat \S+ \(|\.[jt]s:\d+|FST_|ROTOR_/i, `no internals ${label}`)
}

const ROUTES = ['/auth/register', '/auth/token']

t.test('rejects unknown fields instead of ignoring them', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ROUTES) {
    const res = await post(app, url, { payload: { email: 'someone@example.com', password: PASSWORD, admin: true } })
    assertClientError(t, res, 400, 'invalid_request', url)
  }
  const form = await post(app, '/auth/token', {
    contentType: 'application/x-www-form-urlencoded',
    payload: new URLSearchParams({ email: 'someone@example.com', password: PASSWORD, scope: 'admin' }).toString()
  })
  assertClientError(t, form, 400, 'invalid_request', 'form')
})

t.test('rejects malformed, empty or prototype-polluting JSON with 400', async (t) => {
  const app = await buildTestApp(t)
  const bodies = ['{"email":', '{email: "a@example.com"}', 'null', '[]', '"a string"', '{"email":"a@example.com","password":"x"}}',
    '{"__proto__":{"admin":true},"email":"a@example.com","password":"long enough"}',
    '{"constructor":{"prototype":{"admin":true}},"email":"a@example.com","password":"long enough"}']
  for (const url of ROUTES) {
    for (const payload of bodies) assertClientError(t, await post(app, url, { payload }), 400, 'invalid_request', `${url} ${payload}`)
    const empty = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' } })
    assertClientError(t, empty, 400, 'invalid_request', `${url} empty`)
  }
})

t.test('rejects wrong types without coercing them', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app, undefined, '730591826413')
  // A numeric password that would match once coerced to a string must still be refused: input is used as sent.
  const cases: Record<string, unknown>[] = [
    { email: user.email, password: 730591826413 },
    { email: user.email, password: ['730591826413'] },
    { email: user.email, password: null },
    { email: user.email, password: { value: '730591826413' } },
    { email: 42, password: '730591826413' },
    { email: [user.email], password: '730591826413' },
    { email: user.email },
    { password: '730591826413' },
    { email: user.email, password: '730591826413', refresh_delivery: 'query' },
    { email: user.email, password: '730591826413', refresh_delivery: true }
  ]
  for (const url of ROUTES) {
    for (const payload of cases) assertClientError(t, await post(app, url, { payload }), 400, 'invalid_request', `${url} ${JSON.stringify(payload)}`)
  }
})

t.test('rejects a form field sent twice rather than picking one', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  const payload = `email=${encodeURIComponent(user.email)}&password=wrong+password&password=${encodeURIComponent(PASSWORD)}`
  const res = await post(app, '/auth/token', { contentType: 'application/x-www-form-urlencoded', payload })
  assertClientError(t, res, 400, 'invalid_request')
})

t.test('answers 413 payload_too_large for a body over BODY_LIMIT_BYTES (default 4096)', async (t) => {
  const app = await buildTestApp(t)
  const huge = { email: 'someone@example.com', password: 'p'.repeat(5000) }
  for (const url of ROUTES) assertClientError(t, await post(app, url, { payload: huge }), 413, 'payload_too_large', url)
  const form = await post(app, '/auth/token', {
    contentType: 'application/x-www-form-urlencoded',
    payload: new URLSearchParams({ email: 'someone@example.com', password: 'p'.repeat(5000) }).toString()
  })
  assertClientError(t, form, 413, 'payload_too_large', 'form')
  t.same(json(form), { error: 'payload_too_large', error_description: 'The request body is too large' })
})

t.test('honours a configured BODY_LIMIT_BYTES', async (t) => {
  const app = await buildTestApp(t, { env: { BODY_LIMIT_BYTES: '1024' } })
  // 1024 bytes of password plus the JSON around it is over a 1024-byte limit, though the password itself is allowed.
  const res = await post(app, '/auth/register', { payload: { email: 'someone@example.com', password: 'p'.repeat(1024) } })
  assertClientError(t, res, 413, 'payload_too_large')
  t.equal((await post(app, '/auth/register', { payload: { email: 'someone@example.com', password: randomBytes(450).toString('hex') } })).statusCode, 201)
})

t.test('answers 413 for a chunked body with no Content-Length once it passes the limit', async (t) => {
  // The limit must hold while streaming, not only when the client announces the size up front.
  const app = await buildTestApp(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const chunk = new TextEncoder().encode(' '.repeat(1024))
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull (controller) {
      if (sent++ < 8) controller.enqueue(chunk)
      else controller.close()
    }
  })
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half'
  } as RequestInit)
  t.equal(res.status, 413)
  t.same(await res.json(), { error: 'payload_too_large', error_description: 'The request body is too large' })
})

t.test('answers 415 for a body that is neither JSON nor a form', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ROUTES) {
    const res = await post(app, url, { contentType: 'application/xml', payload: '<login/>' })
    assertClientError(t, res, 415, 'unsupported_media_type', url)
  }
  const multipart = await post(app, '/auth/token', { contentType: 'multipart/form-data; boundary=x', payload: '--x--' })
  assertClientError(t, multipart, 415, 'unsupported_media_type', 'multipart')
})

t.test('answers 415 to a text/plain body, never reading it as credentials even when it holds valid JSON', async (t) => {
  // text/plain is a CORS-safelisted type a cross-site page can POST without a preflight (login CSRF, OWASP).
  const app = await buildTestApp(t)
  const user = await register(app)
  const res = await post(app, '/auth/token', { contentType: 'text/plain', payload: JSON.stringify({ email: user.email, password: PASSWORD }) })
  t.notMatch(res.body, /access_token|refresh_token/)
  assertClientError(t, res, 415, 'unsupported_media_type')
})
