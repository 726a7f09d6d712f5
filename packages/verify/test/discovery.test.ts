// Discovery from RFC 8414 metadata (served by the CONTRACT FIXTURE, contract-feed-server.ts) and the configurations
// it must refuse: another issuer in the metadata (§3.3), an audience the issuer contradicts, no feed published,
// explicit URLs without what the metadata would have said.
import t from 'tap'
import { createVerifier, metadataUrlOf, VerifierConfigError, type VerifierOptions } from '../src/index.js'
import { startContractFeed } from './contract-feed-server.js'
import { AUDIENCE, ISSUER, rotorKeys, signer, TTL } from './helpers.js'

const CREDENTIAL = 'feed-credential-0123456789abcdef0123456789'
const keySet = await rotorKeys()
const feed = await startContractFeed({
  credential: CREDENTIAL, jwks: () => keySet.jwks, heartbeatMs: 1000, metadata: { issuer: ISSUER, audience: AUDIENCE, maxLifetimeSeconds: TTL }
})
t.teardown(() => feed.close())
const metadataUrl = `${feed.base}/.well-known/oauth-authorization-server`
const make = (t: { teardown: (fn: () => unknown) => void }, options: VerifierOptions) => {
  const v = createVerifier(options)
  t.teardown(() => v.close())
  return v
}

t.test('finds the JWKS, audience, lifetime and feed from the metadata alone', async (t) => {
  const v = make(t, { issuer: ISSUER, metadataUrl, feed: { credential: CREDENTIAL } })
  await v.ready()
  t.match(v.status(), { state: 'live', keys: 1 })
  t.match(v.verify(await signer(keySet)()), { ok: true })
  t.equal(feed.requests.at(-1)?.authorization, `Bearer ${CREDENTIAL}`, 'the feed URL came from rotor_revocation_stream_endpoint')
})

t.test('the metadata URL of an issuer, trailing slash or not', async (t) => {
  t.equal(metadataUrlOf('https://auth.example.com'), 'https://auth.example.com/.well-known/oauth-authorization-server')
  t.equal(metadataUrlOf('https://auth.example.com/'), 'https://auth.example.com/.well-known/oauth-authorization-server')
})

t.test('refuses metadata that names another issuer (RFC 8414 §3.3)', async (t) => {
  const v = make(t, { issuer: 'https://other.example.com', metadataUrl, feed: { credential: CREDENTIAL } })
  await t.rejects(v.ready(), new VerifierConfigError('the metadata at ' + metadataUrl + ' names issuer "https://auth.example.com", not https://other.example.com'))
  t.same(v.verify('a.b.c'), { ok: false, reason: 'not_ready' })
})

t.test('refuses an audience the issuer contradicts', async (t) => {
  const v = make(t, { issuer: ISSUER, audience: 'https://elsewhere.example', metadataUrl, feed: { credential: CREDENTIAL } })
  await t.rejects(v.ready(), /audience https:\/\/elsewhere\.example is not the issuer's \(https:\/\/api\.example\.com\)/)
})

t.test('explicit URLs need what the metadata would have said, checked at once', async (t) => {
  const base = { issuer: ISSUER, jwksUri: feed.jwksUrl }
  t.throws(() => createVerifier({ ...base, maxTokenLifetimeSeconds: TTL, feed: false }), /audience is required/)
  t.throws(() => createVerifier({ ...base, audience: AUDIENCE, feed: false }), /maxTokenLifetimeSeconds is required/)
  t.throws(() => createVerifier({ ...base, audience: AUDIENCE, maxTokenLifetimeSeconds: TTL }), /feed\.url is required/)
  t.throws(() => createVerifier({ ...base, audience: AUDIENCE, maxTokenLifetimeSeconds: TTL, feed: false, onFeedDown: 'maybe' as 'reject' }), /onFeedDown/)
  t.throws(() => createVerifier({ issuer: '' }), /issuer is required/)
})

t.test('feed: false verifies without revocations, and is never degraded', async (t) => {
  const v = make(t, { issuer: ISSUER, metadataUrl, feed: false, feedDownAfterSeconds: 0 })
  await v.ready()
  t.match(v.verify(await signer(keySet)()), { ok: true, degraded: false })
})
