// Every answer Rotor gives is in the { error, error_description } shape, including the ones Fastify and Node give
// before any route runs: unparsable HTTP (431, malformed headers and request lines), bad URLs, over-long path
// parameters, unknown routes and methods, bodies of the wrong type. Over a real socket, since Node's clientError path
// (HPE_* parser errors) only happens there. No library code (FST_*, HPE_*) and no `code` field ever reaches a client.
import t from 'tap'
import { raw } from './raw-http.js'
import { errorCodes } from 'fastify'
import { buildTestApp } from './helper.js'

type Test = Pick<typeof t, 'equal' | 'same' | 'notMatch' | 'match'>

function assertShape (t: Test, status: number, body: string, expectedStatus: number, code: string, label: string) {
  t.equal(status, expectedStatus, `status: ${label}`)
  const parsed = JSON.parse(body) as Record<string, unknown>
  t.same(Object.keys(parsed).sort(), ['error', 'error_description'], `shape: ${label}`)
  t.equal(parsed.error, code, `code: ${label}`)
  t.notMatch(body, /FST_|HPE_|ERR_|"code"|statusCode|node_modules/, `no library internals: ${label}`)
}

t.test('answers requests Node cannot parse in our shape, then closes the connection', async (t) => {
  const app = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const cases: Array<[string, string, number, string]> = [
    ['headers over the size limit', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'request_header_fields_too_large'],
    ['a request line over the size limit', `GET /healthz?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'request_header_fields_too_large'],
    ['a header name with a space', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, 'invalid_request'],
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n', 400, 'invalid_request'],
    ['a control character in a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n', 400, 'invalid_request'],
    ['a malformed request line', 'GET\r\n\r\n', 400, 'invalid_request'],
    ['not HTTP at all', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\r\n\r\n', 400, 'invalid_request'],
    ['Content-Length and chunked together', 'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'invalid_request']
  ]
  for (const [label, request, status, code] of cases) {
    const res = await raw(port, request)
    assertShape(t, res.status, res.body, status, code, label)
    t.match(res.headers, /\r\nconnection: close/i, `closes: ${label}`)
    t.match(res.headers, /\r\ncontent-type: application\/json/i, `JSON: ${label}`)
  }
})

t.test('answers bad URLs, over-long ids, unknown routes and wrong methods in our shape', async (t) => {
  const app = await buildTestApp(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const badUrl = await raw(port, 'GET /auth/sessions/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assertShape(t, badUrl.status, badUrl.body, 400, 'invalid_request', 'a broken percent-encoding')
  const noHost = await raw(port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n')
  assertShape(t, noHost.status, noHost.body, 400, 'invalid_request', 'HTTP/1.1 without Host (RFC 9112 §3.2)')
  const oldHttp = await raw(port, 'GET /healthz HTTP/1.0\r\n\r\n')
  t.equal(oldHttp.status, 200, 'HTTP/1.0 needs no Host')

  // A session id of 10,000 characters: past the router's parameter limit, answered 414 without the FST_ code.
  const long = await fetch(`${base}/auth/sessions/${'A'.repeat(10_000)}`, { method: 'DELETE', headers: { authorization: 'Bearer x' } })
  assertShape(t, long.status, await long.text(), 414, 'uri_too_long', 'a 10,000-character session id')

  const unknown = await fetch(`${base}/no/such/route`)
  assertShape(t, unknown.status, await unknown.text(), 404, 'not_found', 'an unknown route')

  const wrongMethod = await fetch(`${base}/auth/token`, { method: 'GET' })
  assertShape(t, wrongMethod.status, await wrongMethod.text(), 405, 'method_not_allowed', 'GET on a POST route')
  t.equal(wrongMethod.headers.get('allow'), 'POST', 'Allow names the methods the path serves (RFC 9110 §15.5.6)')
  const roles = await fetch(`${base}/admin/users/${'A'.repeat(22)}/roles`, { method: 'PATCH' })
  assertShape(t, roles.status, await roles.text(), 405, 'method_not_allowed', 'PATCH on a PUT route with a parameter')
  t.equal(roles.headers.get('allow'), 'PUT')
  const health = await fetch(`${base}/healthz?x=1`, { method: 'DELETE' })
  t.equal(health.status, 405, 'the query string does not hide the path')
  t.equal(health.headers.get('allow'), 'GET, HEAD')
})

t.test('answers bodies of the wrong type or size in our shape', async (t) => {
  const app = await buildTestApp(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const post = (contentType: string | undefined, body: string) => fetch(`${base}/auth/token`, {
    method: 'POST', headers: contentType === undefined ? {} : { 'content-type': contentType }, body
  })
  const credentials = JSON.stringify({ email: 'someone@example.com', password: 'long enough password' })
  const cases: Array<[string, string | undefined, string, number, string]> = [
    ['text/plain (CORS-safelisted, never read)', 'text/plain', credentials, 415, 'unsupported_media_type'],
    ['text/plain with a charset', 'text/plain; charset=utf-8', credentials, 415, 'unsupported_media_type'],
    ['an unknown type', 'application/x-unknown', credentials, 415, 'unsupported_media_type'],
    ['a malformed Content-Type', ';;;', credentials, 415, 'unsupported_media_type'],
    ['bad JSON', 'application/json', '{"email":', 400, 'invalid_request'],
    ['a body over the limit', 'application/json', JSON.stringify({ email: 'a@example.com', password: 'p'.repeat(5000) }), 413, 'payload_too_large']
  ]
  for (const [label, type, body, status, code] of cases) {
    const res = await post(type, body)
    assertShape(t, res.status, await res.text(), status, code, label)
  }
  // fetch adds text/plain;charset=UTF-8 to a string body; a raw request can send none at all.
  const { port } = app.server.address() as { port: number }
  const untyped = await raw(port, `POST /auth/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${credentials.length}\r\n\r\n${credentials}`)
  assertShape(t, untyped.status, untyped.body, 415, 'unsupported_media_type', 'a body with no Content-Type')
})

t.test('maps every client-facing Fastify error code onto our table with its own status', async (t) => {
  // A guard for upgrades: a code Fastify adds later reaches a client in our shape, or this fails.
  const app = await buildTestApp(t)
  const clientFacing = Object.entries(errorCodes)
    .map(([code, Ctor]) => [code, new (Ctor as new (...a: string[]) => Error & { statusCode?: number })('a', 'b', 'c')] as const)
    .filter(([, err]) => err.statusCode !== undefined && err.statusCode !== 500)
  app.get<{ Params: { code: string } }>('/throw/:code', async (request) => {
    throw clientFacing.find(([code]) => code === request.params.code)![1]
  })
  t.ok(clientFacing.length >= 10, 'the list is read from Fastify itself')
  for (const [code, err] of clientFacing) {
    const res = await app.inject({ method: 'GET', url: `/throw/${code}` })
    assertShape(t, res.statusCode, res.body, res.statusCode, JSON.parse(res.body).error as string, code)
    t.equal(res.statusCode, err.statusCode, `${code} keeps its status`)
  }
})
