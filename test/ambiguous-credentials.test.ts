// Ambiguous credentials are refused with 400 invalid_request, never resolved by picking one (RFC 6750 §2: one method
// per request): two Authorization headers (Node keeps the first and drops the rest), a token in the URL as well as (or
// instead of) the header, and the refresh cookie sent twice. Over a real socket: only it can carry repeated headers.
import t from 'tap'
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildTestApp, registerAndLogin, type Test } from './helper.js'

/** Node's client sends an array value as that many header lines. */
async function send (port: number, method: string, path: string, headers: Record<string, string | string[]>, body?: string) {
  return new Promise<{ status: number, body: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: headers as OutgoingHttpHeaders }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function listening (t: Test) {
  const app = await buildTestApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, port: (app.server.address() as AddressInfo).port }
}

t.test('refuses two Authorization headers on plain and strict routes, even both the same valid token', async (t) => {
  const { app, port } = await listening(t)
  const user = await registerAndLogin(app)
  const good = `Bearer ${user.accessToken}`
  for (const [method, path] of [['GET', '/me'], ['GET', '/auth/sessions'], ['POST', '/auth/logout-all']]) {
    t.equal((await send(port, method!, path!, { authorization: good })).status, method === 'POST' ? 204 : 200, `${path} with one header`)
    for (const pair of [[good, 'Bearer forged.token.here'], ['Bearer forged.token.here', good], [good, good]]) {
      const res = await send(port, method!, path!, { authorization: pair })
      t.equal(res.status, 400, `${path} ${pair.map((h) => h.slice(0, 12)).join(' + ')}`)
      t.same(res.body, { error: 'invalid_request', error_description: 'Send exactly one Authorization header (RFC 6750 §2)' })
    }
  }
})

t.test('refuses an access token in the query string or the body, with or without the header', async (t) => {
  const { app, port } = await listening(t)
  const user = await registerAndLogin(app)
  for (const headers of [{ authorization: `Bearer ${user.accessToken}` }, {}] as Array<Record<string, string>>) {
    const res = await send(port, 'GET', `/me?access_token=${user.accessToken}`, headers)
    t.equal(res.status, 400)
    t.equal(res.body.error, 'invalid_request')
  }
  // No body field carries an access token (RFC 6750 §2.2 is not offered): one sent anyway is an unknown field.
  const inBody = await send(port, 'POST', '/auth/logout', { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    JSON.stringify({ access_token: user.accessToken }))
  t.equal(inBody.status, 400)
  t.equal(inBody.body.error, 'invalid_request')
})

t.test('refuses the refresh cookie sent twice, in one Cookie header or two', async (t) => {
  const { app, port } = await listening(t)
  const user = await registerAndLogin(app, 'cookie')
  const name = app.refreshCookie.name
  const base = { 'x-requested-with': 'XMLHttpRequest', 'content-type': 'application/json' }
  for (const cookie of [`${name}=${user.cookie}; ${name}=other`, [`${name}=other`, `${name}=${user.cookie}`]]) {
    const res = await send(port, 'POST', '/auth/refresh', { ...base, cookie }, '{}')
    t.equal(res.status, 400)
    t.same(res.body, { error: 'invalid_request', error_description: 'The request carries the refresh cookie more than once' })
  }
  t.equal((await send(port, 'POST', '/auth/refresh', { ...base, cookie: `${name}=${user.cookie}` }, '{}')).status, 200, 'once is fine')
})
