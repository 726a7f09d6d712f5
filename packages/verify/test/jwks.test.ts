// The JWKS key store against real Rotor apps serving their JWKS, behind a switchable forwarding proxy (a load
// balancer moving from an instance on the old key set to one that publishes a new key, or to none at all):
// a new key is accepted without restart, a flood of unknown kids costs one fetch per interval, a failed fetch keeps
// the keys already known. Plus the filter: only Ed25519/EdDSA and P-256/ES256 signature keys are taken.
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateKeyPairSync } from 'node:crypto'
import { createVerifier, keysOfJwks, type MetricEvent, type VerifierOptions } from '../src/index.js'
import { generateKeySetJson, loadKeySet } from '../../../src/tokens/key-set.js'
import { buildTestApp, registerAndLogin } from '../../../test/helper.js'
import { eventually } from './helpers.js'

const [a, b] = await Promise.all([generateKeySetJson('EdDSA'), generateKeySetJson('EdDSA')])
const oldKey = JSON.parse(a).keys[0]
const newKey = JSON.parse(b).keys[0]
const oldApp = await buildTestApp(t, { keySet: loadKeySet(a, 'EdDSA') })
const newApp = await buildTestApp(t, { keySet: loadKeySet(JSON.stringify({ keys: [newKey, oldKey] }), 'EdDSA', newKey.kid) })
const upstreams = { old: await oldApp.listen({ host: '127.0.0.1', port: 0 }), new: await newApp.listen({ host: '127.0.0.1', port: 0 }) }
let upstream: 'old' | 'new' | 'down' = 'old'
let cacheControl = true
const proxy = createServer((req, res) => {
  if (upstream === 'down') { res.writeHead(502).end(); return }
  fetch(`${upstreams[upstream]}${req.url}`).then(async (r) => {
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? '', ...(cacheControl ? { 'cache-control': r.headers.get('cache-control') ?? '' } : {}) })
    res.end(await r.text())
  }, () => res.writeHead(502).end())
})
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
t.teardown(() => new Promise((resolve) => proxy.close(resolve)))
const jwksUri = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/.well-known/jwks.json`
const { issuer, audience, accessTokenTtlSeconds } = oldApp.config.jwt
const oldToken = (await registerAndLogin(oldApp)).accessToken
const newToken = (await registerAndLogin(newApp)).accessToken

function verifier (t: { teardown: (fn: () => unknown) => void }, change: Partial<VerifierOptions> = {}) {
  const fetches: string[] = []
  const metrics: MetricEvent[] = []
  const v = createVerifier({
    issuer, audience, jwksUri, maxTokenLifetimeSeconds: accessTokenTtlSeconds, feed: false, onMetric: (m) => metrics.push(m),
    // Counts the requests; every one goes to the real proxy and Rotor behind it.
    fetch: (input, init) => { fetches.push(String(input)); return fetch(input, init) },
    ...change
  })
  t.teardown(() => v.close())
  return { v, fetches, metrics }
}

t.test('a newly published key is accepted without restart; a flood of unknown kids fetches once per interval', async (t) => {
  upstream = 'old'
  // The interval is judged on the verifier's injected clock, so a slow machine cannot make it pass early.
  let now = Date.now()
  const { v, fetches } = verifier(t, { unknownKidRefetchSeconds: 30, nowMs: () => now })
  await v.ready()
  t.equal(fetches.length, 1, 'one fetch at start')
  t.same(v.verify(newToken), { ok: false, reason: 'unknown_key' }, 'inside the interval after the first fetch: no refetch')
  t.equal(fetches.length, 1)
  upstream = 'new'
  now += 31_000 // the interval has passed
  for (let i = 0; i < 500; i++) v.verify(newToken)
  t.equal(fetches.length, 2, '500 tokens with an unknown kid: one refetch')
  await eventually('the new key is in use', () => v.verify(newToken).ok)
  t.ok(v.verify(oldToken).ok, 'the old key still verifies')
})

t.test('a failed fetch keeps the keys already known', async (t) => {
  upstream = 'old'
  const { v, metrics } = verifier(t, { unknownKidRefetchSeconds: 0 })
  await v.ready()
  upstream = 'down'
  v.verify(newToken)
  await eventually('a refetch failed', () => metrics.some((m) => m.name === 'jwks_fetch' && m.outcome === 'error'))
  t.ok(v.verify(oldToken).ok, 'stale keys still verify')
  t.equal(v.status().keys, 1)
})

t.test('a verifier started while the JWKS is unreachable is not ready, then retries until it loads', async (t) => {
  upstream = 'down'
  const { v } = verifier(t)
  t.same(v.verify(oldToken), { ok: false, reason: 'not_ready' })
  upstream = 'old'
  await v.ready()
  t.ok(v.verify(oldToken).ok)
})

t.test('takes only Ed25519/EdDSA and P-256/ES256 signature keys, each with its own alg', async (t) => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' })
  const { d: _d, ...ed } = oldKey
  const keys = keysOfJwks({
    keys: [
      { ...ed, kid: 'ed' }, { ...ec, kid: 'ec', alg: 'ES256', use: 'sig' }, { ...ec, kid: 'ec-as-eddsa', alg: 'EdDSA' },
      { ...ed, kid: 'ed-as-es256', alg: 'ES256' }, { ...ec384, kid: 'p384', alg: 'ES256' }, { ...rsa, kid: 'rsa', alg: 'RS256' },
      { ...ec, kid: 'enc', alg: 'ES256', use: 'enc' }, { ...oldKey, kid: 'private' }, { ...ed, kid: undefined }, { ...ed, kid: 'ed' },
      { ...ec, kid: 'no-alg' }, 'junk', null, { ...ed, kid: 'bad-point', x: 'AAAA' }
    ]
  }, ['EdDSA', 'ES256'])
  t.same(keys.map((k) => [k.kid, k.alg]), [['ed', 'EdDSA'], ['ec', 'ES256']])
  t.same(keysOfJwks({ keys: [{ ...ed, kid: 'ed' }] }, ['ES256']), [], 'only the algorithms the issuer lists')
  t.throws(() => keysOfJwks({ nokeys: [] }, ['EdDSA']), /no "keys" array/)
})

t.test('periodic refresh: never sooner than the JWKS max-age, on the configured interval without one', async (t) => {
  upstream = 'old'
  const fresh = verifier(t, { jwksRefreshSeconds: 1 })
  await fresh.v.ready()
  cacheControl = false
  const plain = verifier(t, { jwksRefreshSeconds: 1 })
  await plain.v.ready()
  await eventually('refreshed after the interval without max-age', () => plain.fetches.length >= 2)
  cacheControl = true
  t.ok(plain.fetches.length >= 2)
  t.equal(fresh.fetches.length, 1, "Rotor's max-age (300 s) outranks a 1 s interval")
})
