// Key rotation without failing any verifier: a new key is published first (in the JWKS, not signing: JWT_SIGNING_KID
// names the old one), and signs only once every verifier's JWKS cache (max-age 300 s) has fetched it; the old key
// stays published until its last token has expired. Tokens of either key verify throughout.
import t from 'tap'
import { decodeProtectedHeader } from 'jose'
import { loadConfig } from '../src/config.js'
import { resolveKeySet } from '../src/dev-secrets.js'
import { generateKeySetJson, loadKeySet } from '../src/tokens/key-set.js'
import { buildTestApp, json, registerAndLogin } from './helper.js'

async function twoKeys (): Promise<{ json: string, oldKid: string, newKid: string }> {
  const [a, b] = await Promise.all([generateKeySetJson('EdDSA'), generateKeySetJson('EdDSA')])
  const oldKey = JSON.parse(a).keys[0]
  const newKey = JSON.parse(b).keys[0]
  // The new key is listed first: without JWT_SIGNING_KID it would sign at once.
  return { json: JSON.stringify({ keys: [newKey, oldKey] }), oldKid: oldKey.kid, newKid: newKey.kid }
}

t.test('publishes a new key without signing with it, then signs with it while old tokens still verify', async (t) => {
  const { json: keys, oldKid, newKid } = await twoKeys()
  const publish = await buildTestApp(t, { keySet: loadKeySet(keys, 'EdDSA', oldKid) })
  const before = await registerAndLogin(publish)
  t.equal(decodeProtectedHeader(before.accessToken).kid, oldKid, 'step 1: the old key still signs')
  const jwks = json<{ keys: Array<{ kid: string }> }>(await publish.inject({ method: 'GET', url: '/.well-known/jwks.json' }))
  t.same(jwks.keys.map((k) => k.kid).sort(), [oldKid, newKid].sort(), 'and the new one is published')

  const sign = await buildTestApp(t, { keySet: loadKeySet(keys, 'EdDSA', newKid) })
  const after = await registerAndLogin(sign)
  t.equal(decodeProtectedHeader(after.accessToken).kid, newKid, 'step 2: after the JWKS cache time, the new key signs')
  t.equal(sign.accessTokens.verifySync(before.accessToken).userId, before.userId, 'step-1 tokens still verify under the new signer')
  t.equal(publish.accessTokens.verifySync(after.accessToken).userId, after.userId, 'and instances still on step 1 accept step-2 tokens')
})

t.test('JWT_SIGNING_KID chooses the signing key from the configured set, and must name a key of JWT_ALG', async (t) => {
  const { json: keys, oldKid } = await twoKeys()
  const warn = () => undefined
  const chosen = await resolveKeySet(loadConfig({ JWT_KEYS: keys, JWT_SIGNING_KID: oldKid }), '.rotor-test-unused', warn)
  t.equal(chosen.signing.kid, oldKid)
  t.equal(loadKeySet(keys, 'EdDSA').signing.kid, JSON.parse(keys).keys[0].kid, 'unset: the first key of JWT_ALG')
  await t.rejects(resolveKeySet(loadConfig({ JWT_KEYS: keys, JWT_SIGNING_KID: 'no-such-kid' }), '.rotor-test-unused', warn),
    /JWT_KEYS has no key with kid no-such-kid \(JWT_SIGNING_KID\)/)
  t.throws(() => loadKeySet(keys, 'ES256', oldKid), /has alg EdDSA, not ES256 \(JWT_ALG\)/)
})
