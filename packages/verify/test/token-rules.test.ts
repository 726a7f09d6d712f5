// The package verifies exactly as Rotor does: a real Rotor app (buildApp, listening on a free port) issues tokens
// and serves the JWKS; the crafted-token corpus (alg none, algorithm confusion, embedded keys, kid injection,
// tampered claims, expired, future iat, wrong iss/aud/typ, over-long lifetime) is judged by both, for the same reason.
import t from 'tap'
import { createHmac, sign as cryptoSign } from 'node:crypto'
import { SignJWT, type JWTHeaderParameters } from 'jose'
import { createVerifier } from '../src/index.js'
import { AccessTokenError } from '../../../src/tokens/access-token.js'
import { buildTestApp, registerAndLogin, testKeySet } from '../../../test/helper.js'

const keySet = await testKeySet()
const app = await buildTestApp(t, { keySet })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const { issuer, audience, accessTokenTtlSeconds: ttl } = app.config.jwt
const verifier = createVerifier({
  issuer, audience, jwksUri: `${base}/.well-known/jwks.json`, maxTokenLifetimeSeconds: ttl, clockToleranceSeconds: 10, feed: false
})
t.teardown(() => verifier.close())
await verifier.ready()

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const user = await registerAndLogin(app)
const [h, p, s] = user.accessToken.split('.') as [string, string, string]
const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
const kid = (JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }).kid

function serverReason (token: string): string {
  try { app.accessTokens.verifySync(token); return 'ok' } catch (err) { return (err as AccessTokenError).reason }
}
const packageReason = (token: string): string => { const r = verifier.verify(token); return r.ok ? 'ok' : r.reason }

t.test('accepts what Rotor issues, with the same claims', async (t) => {
  const result = verifier.verify(user.accessToken)
  t.ok(result.ok)
  t.same(result.ok && result.claims, app.accessTokens.verifySync(user.accessToken))
})

t.test('rejects every crafted token for the reason Rotor gives', async (t) => {
  const key = keySet.signing.privateKey
  const craft = (header: Record<string, unknown>, claims: Record<string, unknown> = {}) => new SignJWT({ ...payload, ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header } as JWTHeaderParameters).sign(key)
  const raw = (header: Record<string, unknown>, body: unknown = payload) => {
    const input = `${b64({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header })}.${b64(body)}`
    return `${input}.${cryptoSign(null, Buffer.from(input), key).toString('base64url')}`
  }
  const hsInput = `${b64({ alg: 'HS256', kid, typ: 'at+jwt' })}.${p}`
  const jwk = (await app.inject({ url: '/.well-known/jwks.json' })).json().keys[0]
  const corpus: Record<string, [string, string]> = {
    'alg none': [`${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`, 'malformed'],
    'alg none with a signature': [`${b64({ alg: 'none', kid, typ: 'at+jwt' })}.${p}.${s}`, 'malformed'],
    'HS256 keyed with the public key': [`${hsInput}.${createHmac('sha256', JSON.stringify(jwk)).update(hsInput).digest('base64url')}`, 'malformed'],
    'ES256 claimed for an EdDSA kid': [raw({ alg: 'ES256' }), 'malformed'],
    'embedded jwk': [await craft({ jwk }), 'bad_claims'],
    'jku': [await craft({ jku: 'https://evil.example/jwks.json' }), 'bad_claims'],
    'x5u': [await craft({ x5u: 'https://evil.example/cert.pem' }), 'bad_claims'],
    'x5c': [raw({ x5c: ['MIIB'] }), 'bad_claims'],
    'crit': [raw({ crit: ['exp'] }), 'malformed'],
    'kid path injection': [raw({ kid: '../../../../dev/null' }), 'unknown_key'],
    'kid SQL injection': [raw({ kid: "' OR '1'='1" }), 'unknown_key'],
    'no kid': [raw({ kid: undefined }), 'unknown_key'],
    'tampered claims': [`${h}.${b64({ ...payload, roles: ['admin'] })}.${s}`, 'bad_signature'],
    'truncated signature': [`${h}.${p}.${s.slice(0, 40)}`, 'bad_signature'],
    'expired': [await craft({}, { iat: now() - ttl, exp: now() - 60 }), 'expired'],
    'future iat': [await craft({}, { iat: now() + 120, exp: now() + 600 }), 'bad_claims'],
    'lifetime over the maximum': [await craft({}, { iat: now(), exp: now() + ttl + 60 }), 'bad_claims'],
    'wrong iss': [await craft({}, { iss: 'https://evil.example' }), 'bad_claims'],
    'wrong aud': [await craft({}, { aud: 'https://other.example' }), 'bad_claims'],
    'wrong typ': [await craft({ typ: 'JWT' }), 'bad_claims'],
    'no sid': [await craft({}, { sid: undefined }), 'bad_claims'],
    'not a JWS': ['not.a.jwt!', 'malformed'],
    'payload not JSON': [raw({}, 'garbage'), 'malformed']
  }
  for (const [label, [token, expected]] of Object.entries(corpus)) {
    t.equal(serverReason(token), expected, `${label}: Rotor`)
    t.equal(packageReason(token), expected, `${label}: the package`)
  }
})

t.test('an over-long token is malformed before anything parses it', async (t) => {
  t.same(verifier.verify(`${h}.${'A'.repeat(5000)}.${s}`), { ok: false, reason: 'malformed' })
})
