// RFC 6750 answers from the Fastify plugin (the example resource server, built in-process) and from the plain
// function: 401 with a bare `Bearer` challenge for a missing token, error="invalid_token" for a bad one, 403
// insufficient_scope, 400 for two Authorization headers, 503 + Retry-After while tokens cannot be judged. Keys and
// feed come from the CONTRACT FIXTURE (contract-feed-server.ts).
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { connect } from 'node:net'
import { createVerifier, type VerifierOptions } from '../src/index.js'
import { buildResourceServer } from '../../../examples/resource-server/app.js'
import { startContractFeed } from './contract-feed-server.js'
import { AUDIENCE, eventually, ISSUER, rotorKeys, signer, TTL } from './helpers.js'

const CREDENTIAL = 'feed-credential-0123456789abcdef0123456789'
const keySet = await rotorKeys()
const sign = signer(keySet)
const feed = await startContractFeed({ credential: CREDENTIAL, jwks: () => keySet.jwks, heartbeatMs: 1000 })
t.teardown(() => feed.close()) // teardowns run last registered first: the fixture closes after its subscribers
const options = (change: Partial<VerifierOptions> = {}): VerifierOptions => ({
  issuer: ISSUER, audience: AUDIENCE, jwksUri: feed.jwksUrl, maxTokenLifetimeSeconds: TTL,
  feed: { url: feed.streamUrl, credential: CREDENTIAL }, ...change
})
const verifier = createVerifier(options())
t.teardown(() => verifier.close())
await verifier.ready()
const app = await buildResourceServer({ verifier })
t.teardown(() => app.close())
const get = (url: string, authorization?: string): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } })

t.test('a valid token passes and sets request.auth', async (t) => {
  const res = await get('/hello', `Bearer ${await sign({ userId: 'alice' })}`)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { hello: 'alice', degraded: false })
})

t.test('no token: 401 with a bare Bearer challenge (RFC 6750 §3.1: no error code)', async (t) => {
  const res = await get('/hello')
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], 'Bearer')
  t.same(res.json(), { error: 'invalid_token', error_description: 'The access token is missing' })
})

t.test('a bad, expired-looking or non-Bearer token: 401 error="invalid_token", never a 500', async (t) => {
  for (const header of ['Bearer not-a-token', 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${'a'.repeat(5000)}`]) {
    const res = await get('/hello', header)
    t.equal(res.statusCode, 401, header.slice(0, 20))
    t.match(res.headers['www-authenticate'], /^Bearer error="invalid_token", error_description="[^"]+"$/)
    t.equal(res.json().error, 'invalid_token')
  }
})

t.test('two Authorization headers: 400 invalid_request', async (t) => {
  const token = await sign()
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  // Over a real socket: Node keeps only the first Authorization in request.headers, the plugin reads the raw list.
  const { port } = new URL(base)
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.end(`GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`)
    })
    let text = ''
    socket.on('data', (chunk) => { text += chunk })
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
  t.match(reply, /^HTTP\/1.1 400 /)
  t.match(reply, /"error":"invalid_request"/)
})

t.test('a role guard: 403 insufficient_scope without the role, 200 with it', async (t) => {
  const plain = await get('/admin', `Bearer ${await sign({ userId: 'bob' })}`)
  t.equal(plain.statusCode, 403)
  t.match(plain.headers['www-authenticate'], /^Bearer error="insufficient_scope"/)
  t.same(plain.json(), { error: 'insufficient_scope', error_description: 'The access token lacks the role this needs' })
  const admin = await get('/admin', `Bearer ${await sign({ userId: 'carol', roles: ['admin'] })}`)
  t.equal(admin.statusCode, 200)
  t.same(admin.json(), { admin: 'carol' })
  t.equal((await get('/admin')).statusCode, 401, 'no token at all: still 401 first')
})

t.test('a revoked session: 401 saying so', async (t) => {
  const token = await sign({ userId: 'dave', sessionId: 's-dave' })
  t.equal((await get('/hello', `Bearer ${token}`)).statusCode, 200)
  feed.push({ kind: 'session', userId: 'dave', sessionId: 's-dave', atMs: Date.now(), reason: 'logout' })
  await eventually('revocation applied', () => !verifier.verify(token).ok)
  const res = await get('/hello', `Bearer ${token}`)
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: 'invalid_token', error_description: 'The session has been revoked' })
})

t.test('the plain function answers the same for Node headers and fetch Headers', async (t) => {
  const token = await sign({ userId: 'erin' })
  t.match(verifier.authenticateRequest({ authorization: `Bearer ${token}` }), { ok: true, claims: { userId: 'erin' }, degraded: false })
  t.match(verifier.authenticateRequest(new Headers({ authorization: `Bearer ${token}` })), { ok: true, claims: { userId: 'erin' } })
  t.match(verifier.authenticateRequest({}), { ok: false, status: 401, wwwAuthenticate: 'Bearer', reason: 'missing' })
  const twice = new Headers([['authorization', `Bearer ${token}`], ['authorization', `Bearer ${token}`]])
  t.match(verifier.authenticateRequest(twice), { ok: false, status: 400, error: { error: 'invalid_request' } })
  t.match(verifier.authenticateRequest({ authorization: 'Bearer x.y.z' }), {
    ok: false, status: 401, reason: 'malformed', wwwAuthenticate: /^Bearer error="invalid_token"/
  })
})

t.test('tokens that cannot be judged (feed down, reject policy): 503 with Retry-After, no challenge', async (t) => {
  const wrong = options({ feed: { url: feed.streamUrl, credential: 'wrong-credential-0123456789abcdef' } })
  const boot = await buildResourceServer({ ...wrong, waitForReadySeconds: 0.5 })
  await t.rejects(async () => { await boot.ready() }, /@rotor\/verify not ready after 0.5 s: 1 keys, feed starting \(the feed answered 401\)/, 'waiting for ready: a boot error that says why')
  await boot.rotorVerifier.close() // a Fastify app whose ready() failed runs no onClose hooks
  const down = await buildResourceServer({ ...wrong, waitForReadySeconds: 0 })
  t.teardown(() => down.close())
  await eventually('keys loaded', () => down.rotorVerifier.status().keys === 1)
  const res = await down.inject({ url: '/hello', headers: { authorization: `Bearer ${await sign()}` } })
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '5')
  t.equal(res.headers['www-authenticate'], undefined)
  t.equal(res.json().error, 'temporarily_unavailable')
  t.equal((await down.inject({ url: '/healthz' })).statusCode, 503, 'and /healthz says so')
})
