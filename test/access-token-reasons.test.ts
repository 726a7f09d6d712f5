// Why a token is rejected, as the verifier reports it (the `reason` label of rotor_access_tokens_rejected_total).
// Each token is the accepted baseline with one change, so each reason is down to that change.
import t from 'tap'
import { createPrivateKey, sign as cryptoSign, type JsonWebKey } from 'node:crypto'
import { generateKeyPair, SignJWT, type JWTHeaderParameters } from 'jose'
import { AccessTokenError, createAccessTokens, type VerifyFailure } from '../src/tokens/access-token.js'
import { generateKeySetJson, loadKeySet, type KeySet } from '../src/tokens/key-set.js'
import { manualClock } from './helper.js'

const TTL = 900
const LEEWAY = 10
const ISSUER = 'https://auth.example.com'
const AUDIENCE = 'https://api.example.com'

/** EdDSA signs; the ES256 key verifies too, so a known kid can be paired with the other key's alg. */
const esKeysJson = await generateKeySetJson('ES256')
const keySet: KeySet = loadKeySet(JSON.stringify({
  keys: [...JSON.parse(await generateKeySetJson('EdDSA')).keys, ...JSON.parse(esKeysJson).keys]
}), 'EdDSA')
const esKid = [...keySet.byKid.values()].find((k) => k.alg === 'ES256')!.kid
const clock = manualClock(Date.UTC(2031, 0, 2, 3, 4, 5, 678))
const tokens = createAccessTokens({
  keySet, issuer: ISSUER, audience: AUDIENCE, clientId: 'web', ttlSeconds: TTL, clockToleranceSeconds: LEEWAY, nowMs: clock.now
})
const nowSeconds = () => Math.floor(clock.now() / 1000)
const b64 = (text: string) => Buffer.from(text).toString('base64url')

function claims (change: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds()
  return { iss: ISSUER, aud: AUDIENCE, sub: 'u1', iat: now, exp: now + TTL, jti: 'j1', sid: 's1', sv: 0, client_id: 'web', roles: [], ...change }
}

function craft (header: Record<string, unknown> = {}, payload = claims(), key: Parameters<SignJWT['sign']>[0] = keySet.signing.privateKey): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: keySet.signing.kid, typ: 'at+jwt', ...header } as JWTHeaderParameters)
    .sign(key)
}

/** Signed with our EdDSA key over exactly this header and payload text, which jose would refuse to produce. */
function signedRaw (payloadText: string, header: Record<string, unknown> = {}): string {
  const input = `${b64(JSON.stringify({ alg: 'EdDSA', kid: keySet.signing.kid, typ: 'at+jwt', ...header }))}.${b64(payloadText)}`
  return `${input}.${cryptoSign(null, Buffer.from(input), keySet.signing.privateKey).toString('base64url')}`
}

type Test = Pick<typeof t, 'equal' | 'fail'>

async function assertReason (t: Test, token: string, reason: VerifyFailure, label: string) {
  try {
    tokens.verifySync(token)
    t.fail(`${label}: accepted`)
  } catch (err) {
    t.equal((err as AccessTokenError).reason, reason, label)
  }
}

t.test('accepts the baseline, synchronously and through the promise alike', async (t) => {
  const token = await craft()
  t.match(tokens.verifySync(token), { userId: 'u1', sessionId: 's1', sessionVersion: 0, jti: 'j1' })
  t.same(await tokens.verify(token), tokens.verifySync(token))
})

t.test('malformed: not a JWS, an algorithm outside our set, a crit we do not understand, a bad base64url length', async (t) => {
  const good = await craft()
  const [h, p, s] = good.split('.') as [string, string, string]
  await assertReason(t, 'aaa.bbb', 'malformed', 'two segments')
  await assertReason(t, `${good}${'A'.repeat(5000)}`, 'malformed', 'longer than the limit')
  await assertReason(t, `${b64('{"alg":"none"}')}.${p}.${s}`, 'malformed', 'alg none')
  await assertReason(t, await craft({ alg: 'HS256' }, claims(), new TextEncoder().encode('k'.repeat(32))), 'malformed', 'HS256')
  await assertReason(t, signedRaw(JSON.stringify(claims()), { crit: ['exp'] }), 'malformed', 'crit naming a claim')
  await assertReason(t, `${b64('[1]')}.${p}.${s}`, 'malformed', 'header not an object')
  await assertReason(t, `${h}.${p}.${s}AAA`, 'malformed', 'signature 4n+1 characters long')
  await assertReason(t, signedRaw('[]'), 'malformed', 'validly signed payload that is not an object')
  await assertReason(t, signedRaw('{"sub":'), 'malformed', 'validly signed payload that is not JSON')
})

t.test('unknown_key: a kid not in our set, or a known kid with another key\'s algorithm', async (t) => {
  await assertReason(t, await craft({ kid: 'not-ours' }), 'unknown_key', 'unknown kid')
  await assertReason(t, await craft({ kid: undefined }), 'unknown_key', 'no kid')
  const es = await generateKeyPair('ES256')
  await assertReason(t, await craft({ alg: 'ES256' }, claims(), es.privateKey), 'unknown_key', 'ES256 under the EdDSA kid')
  await assertReason(t, await craft({ kid: esKid }), 'unknown_key', 'EdDSA under the ES256 kid')
})

t.test('bad_signature: a foreign key, an altered payload, garbage that is also unsigned', async (t) => {
  const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
  await assertReason(t, await craft({}, claims(), foreign.privateKey), 'bad_signature', 'foreign key')
  const [h, , s] = (await craft()).split('.')
  await assertReason(t, `${h}.${b64(JSON.stringify(claims({ sub: 'u2' })))}.${s}`, 'bad_signature', 'payload swapped')
  await assertReason(t, `${h}.${b64('not json')}.${s}`, 'bad_signature', 'garbage payload, signature of another token')
})

t.test('bad_claims: typ, key-pointing headers, iss, aud, missing or mistyped claims, times we never issue', async (t) => {
  const now = nowSeconds()
  await assertReason(t, await craft({ typ: 'JWT' }), 'bad_claims', 'typ JWT')
  for (const name of ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256']) await assertReason(t, await craft({ [name]: 'x' }), 'bad_claims', name)
  await assertReason(t, await craft({ crit: ['b64'], b64: true }), 'bad_claims', 'crit b64')
  await assertReason(t, await craft({}, claims({ iss: 'https://evil.example.com' })), 'bad_claims', 'wrong iss')
  await assertReason(t, await craft({}, claims({ aud: ['another-api'] })), 'bad_claims', 'wrong aud')
  await assertReason(t, await craft({}, claims({ sid: undefined })), 'bad_claims', 'no sid')
  await assertReason(t, await craft({}, claims({ sv: '0' })), 'bad_claims', 'sv as a string')
  await assertReason(t, await craft({}, claims({ roles: [1] })), 'bad_claims', 'roles not strings')
  await assertReason(t, await craft({}, claims({ iat: now + LEEWAY + 1, exp: now + LEEWAY + 1 + TTL })), 'bad_claims', 'iat ahead beyond the leeway')
  await assertReason(t, await craft({}, claims({ nbf: now + LEEWAY + 1 })), 'bad_claims', 'nbf ahead beyond the leeway')
  await assertReason(t, await craft({}, claims({ exp: now + TTL + 1 })), 'bad_claims', 'lifetime above the TTL')
})

t.test('expired: past exp plus the leeway, or older than the TTL, on the injected clock', async (t) => {
  const now = nowSeconds()
  await assertReason(t, await craft({}, claims({ iat: now - 100, exp: now - LEEWAY })), 'expired', 'exp exactly leeway ago')
  await assertReason(t, await craft({}, claims({ iat: now - TTL - LEEWAY - 1, exp: now + 5 })), 'expired', 'iat older than the TTL')
  const token = await craft()
  t.ok(tokens.verifySync(token), 'fresh now')
  clock.advance((TTL + LEEWAY) * 1000)
  await assertReason(t, token, 'expired', 'the same token once the clock has moved past exp and the leeway')
})

t.test('accepts what RFC 9068 and RFC 7519 allow besides our own form, and judges the signature before the claims', async (t) => {
  const esJwk = (JSON.parse(esKeysJson).keys as Array<JsonWebKey & { kid: string }>).find((k) => k.kid === esKid)!
  const esKey = createPrivateKey({ key: esJwk, format: 'jwk' })
  const ok = (token: string, label: string) => t.match(tokens.verifySync(token), { userId: 'u1' }, label)
  ok(await craft({ typ: 'application/at+jwt' }), 'typ with its media-type prefix (RFC 7515 §4.1.9)')
  ok(await craft({}, claims({ aud: ['another-api', AUDIENCE] })), 'an aud array holding ours')
  const reordered = `${b64(JSON.stringify({ typ: 'at+jwt', kid: keySet.signing.kid, alg: 'EdDSA' }))}.${b64(JSON.stringify(claims()))}`
  ok(`${reordered}.${cryptoSign(null, Buffer.from(reordered), keySet.signing.privateKey).toString('base64url')}`, 'our header members in another order')
  ok(await craft({ alg: 'ES256', kid: esKid }, claims(), esKey), 'ES256 under the ES256 key (r||s, RFC 7518 §3.4)')
  const [h, p, s] = (await craft({ alg: 'ES256', kid: esKid }, claims(), esKey)).split('.') as [string, string, string]
  await assertReason(t, `${h}.${p}.${s.slice(0, -4)}`, 'bad_signature', 'an ES256 signature of the wrong length')
  await assertReason(t, await craft({}, claims({ aud: [AUDIENCE, 7] })), 'bad_claims', 'an aud array with a non-string')
  await assertReason(t, await craft({}, claims({ iss: undefined })), 'bad_claims', 'no iss')
  await assertReason(t, await craft({ typ: 'JWT' }, claims(), (await generateKeyPair('EdDSA')).privateKey), 'bad_signature', 'a wrong typ under a foreign signature')
})
