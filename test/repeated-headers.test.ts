// A header that must be single, sent twice, is refused with 400 in our shape before any route works on the request:
// Node would silently keep the first Host, Content-Type or Authorization (and join two Origins), while a proxy in
// front may act on the last one. So is an absolute-form target that names another host than Host. Over a raw socket (node:net), since HTTP clients merge repeated headers themselves.
import t from 'tap'
import { raw } from './raw-http.js'
import { buildTestApp, registerAndLogin } from './helper.js'

const request = (lines: string[], body = '') =>
  `${lines.join('\r\n')}\r\nConnection: close\r\n${body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}\r\n${body}`

t.test('refuses a repeated single header with 400 invalid_request, and still takes repeated list headers', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const credentials = JSON.stringify({ email: user.email, password: 'wrong password for this test' })

  const refused: Array<[string, string]> = [
    ['two Host headers', request(['GET /healthz HTTP/1.1', 'Host: a.example', 'Host: b.example'])],
    ['two Host headers, the same value', request(['GET /healthz HTTP/1.1', 'Host: a.example', 'host: a.example'])],
    ['two Host headers on an unknown path', request(['GET /no/such HTTP/1.1', 'Host: a.example', 'Host: b.example'])],
    ['two Content-Type headers', request(['POST /auth/token HTTP/1.1', 'Host: x', 'Content-Type: application/json',
      'Content-Type: application/x-www-form-urlencoded'], credentials)],
    ['two Authorization headers', request(['GET /me HTTP/1.1', 'Host: x', `Authorization: Bearer ${user.accessToken}`, 'Authorization: Bearer other'])],
    ['two Origin headers', request(['POST /auth/refresh HTTP/1.1', 'Host: x', 'Origin: https://app.example.com',
      'Origin: https://evil.example', 'Content-Type: application/json'], '{}')],
    ['two X-Requested-With headers', request(['POST /auth/refresh HTTP/1.1', 'Host: x', 'X-Requested-With: XMLHttpRequest',
      'X-Requested-With: XMLHttpRequest', 'Content-Type: application/json'], '{}')],
    ['two Content-Length headers (Node refuses them)', 'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}'],
    ['an HTTP/2 pseudo-header in HTTP/1.1', request(['GET /healthz HTTP/1.1', 'Host: a.example', ':authority: b.example'])],
    ['an absolute-form target naming another host than Host', request(['GET http://b.example/healthz HTTP/1.1', 'Host: a.example'])]
  ]
  for (const [label, text] of refused) {
    const res = await raw(port, text)
    t.equal(res.status, 400, `status: ${label}`)
    const parsed = JSON.parse(res.body) as Record<string, unknown>
    t.same(Object.keys(parsed).sort(), ['error', 'error_description'], `shape: ${label}`)
    t.equal(parsed.error, 'invalid_request', `code: ${label}`)
  }
  const twoHosts = await raw(port, refused[0]![1])
  t.match(JSON.parse(twoHosts.body).error_description, /more than one Host/, 'the description names the header')

  // List-valued fields may repeat (RFC 9110 §5.3), and so may Cookie (RFC 9113 §8.2.3).
  const accepted: Array<[string, string, number]> = [
    ['one of each', request(['GET /healthz HTTP/1.1', 'Host: x']), 200],
    ['an absolute-form target naming Host', request(['GET http://A.example/healthz HTTP/1.1', 'Host: a.example']), 200],
    ['two Accept headers', request(['GET /healthz HTTP/1.1', 'Host: x', 'Accept: text/plain', 'Accept: application/json']), 200],
    ['two Cookie headers', request(['GET /healthz HTTP/1.1', 'Host: x', 'Cookie: a=1', 'Cookie: b=2']), 200],
    ['a bearer token once', request(['GET /me HTTP/1.1', 'Host: x', `Authorization: Bearer ${user.accessToken}`]), 200]
  ]
  for (const [label, text, status] of accepted) t.equal((await raw(port, text)).status, status, label)
})
