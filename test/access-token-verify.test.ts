// Access-token verification against crafted tokens (RFC 8725, JWT Best Current Practices). Every token here is
// built by one function from a baseline that is accepted, changing one thing, so each 401 is caused by that change.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { base64url, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTHeaderParameters } from 'jose'
import { bearer, buildTestApp, json, manualClock, registerAndLogin, testKeySet } from './helper.js'

const clock = manualClock()
const app = await buildTestApp(t, { clock: clock.now })
const user = await registerAndLogin(app)
const keys = await testKeySet()
const { signing } = keys
const TTL_SECONDS = app.config.jwt.accessTokenTtlSeconds

type Test = Pick<typeof t, 'equal'>

interface Craft {
  header?: Partial<JWTHeaderParameters> & Record<string, unknown>
  claims?: Record<string, unknown>
  omit?: string[]
  key?: Parameters<SignJWT['sign']>[0]
}

function baseClaims (): Record<string, unknown> {
  const now = Math.floor(clock.now() / 1000)
  return {
    iss: app.config.jwt.issuer,
    aud: app.config.jwt.audience,
    sub: user.userId,
    iat: now,
    exp: now + TTL_SECONDS,
    jti: base64url.encode(randomBytes(16)),
    sid: user.sessionId,
    sv: 0,
    client_id: app.config.jwt.clientId
  }
}

/** The baseline token signed with our key under our kid, with one change applied. */
function craft ({ header = {}, claims = {}, omit = [], key = signing.privateKey }: Craft = {}): Promise<string> {
  const payload = { ...baseClaims(), ...claims }
  for (const name of omit) delete payload[name]
  return new SignJWT(payload)
    .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: 'at+jwt', ...header } as JWTHeaderParameters)
    .sign(key)
}

const me = (token: string) => app.inject({ method: 'GET', url: '/me', headers: bearer(token) })

async function assertRejected (t: Test, token: string, label: string) {
  const res = await me(token)
  t.equal(res.statusCode, 401, label)
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"', label)
  t.equal(json(res).error, 'invalid_token', label)
}

t.test('accepts the baseline crafted token, so every rejection below is down to its one change', async (t) => {
  const res = await me(await craft())
  t.equal(res.statusCode, 200)
  t.same(json(res), { id: user.userId, email: user.email, session_id: user.sessionId, degraded: false })
})

t.test('rejects alg "none" (RFC 8725 §2.1, §3.1)', async (t) => {
  const unsecured = new UnsecuredJWT(baseClaims()).encode()
  await assertRejected(t, unsecured, 'UnsecuredJWT')
  // The same with our kid and typ and a non-empty third segment, in case only an empty signature were refused.
  const header = base64url.encode(JSON.stringify({ alg: 'none', kid: signing.kid, typ: 'at+jwt' }))
  const body = base64url.encode(JSON.stringify(baseClaims()))
  await assertRejected(t, `${header}.${body}.${base64url.encode('x')}`, 'none with kid')
})

t.test('rejects HS256 keyed with our public key (algorithm confusion, RFC 8725 §2.1)', async (t) => {
  const publicKey = keys.byKid.get(signing.kid)!.publicKey
  const pem = new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }) as string)
  const raw = base64url.decode((publicKey.export({ format: 'jwk' }) as { x: string }).x)
  await assertRejected(t, await craft({ header: { alg: 'HS256' }, key: pem }), 'HS256 with the PEM text')
  await assertRejected(t, await craft({ header: { alg: 'HS256' }, key: raw }), 'HS256 with the raw key bytes')
})

t.test('rejects a token signed by a foreign key under our kid', async (t) => {
  const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
  await assertRejected(t, await craft({ key: foreign.privateKey }), 'foreign EdDSA key')
  const foreignEc = await generateKeyPair('ES256')
  await assertRejected(t, await craft({ header: { alg: 'ES256' }, key: foreignEc.privateKey }), 'foreign ES256 key')
})

t.test('rejects a token whose payload was altered after signing', async (t) => {
  const [header, , signature] = (await craft()).split('.')
  const forged = base64url.encode(JSON.stringify({ ...baseClaims(), sub: 'someone-else' }))
  await assertRejected(t, `${header}.${forged}.${signature}`, 'swapped payload')
})

t.test('rejects the wrong issuer or audience (RFC 8725 §3.8, §3.9)', async (t) => {
  await assertRejected(t, await craft({ claims: { iss: 'https://evil.example.com' } }), 'wrong iss')
  await assertRejected(t, await craft({ omit: ['iss'] }), 'no iss')
  await assertRejected(t, await craft({ claims: { aud: 'another-api' } }), 'wrong aud')
  await assertRejected(t, await craft({ claims: { aud: ['another-api', 'a-third-api'] } }), 'aud list without ours')
  await assertRejected(t, await craft({ omit: ['aud'] }), 'no aud')
})

t.test('accepts an aud array that contains ours (RFC 7519 §4.1.3), as the README documents', async (t) => {
  const aud = app.config.jwt.audience
  for (const list of [[aud], ['another-api', aud], [aud, 'another-api']]) {
    t.equal((await me(await craft({ claims: { aud: list } }))).statusCode, 200, JSON.stringify(list))
  }
})

t.test('rejects a token whose typ is not at+jwt (RFC 9068 §4, RFC 8725 §3.11)', async (t) => {
  // An ID token or any other JWT from the same key must not pass as an access token.
  await assertRejected(t, await craft({ header: { typ: 'JWT' } }), 'typ JWT')
  await assertRejected(t, await craft({ header: { typ: undefined } }), 'no typ')
})

t.test('rejects an expired token', async (t) => {
  const now = Math.floor(clock.now() / 1000)
  const token = await craft({ claims: { iat: now - TTL_SECONDS - 60, exp: now - 60 } })
  await assertRejected(t, token, 'expired a minute ago')
  t.equal(json(await me(token)).error_description, 'The access token has expired')
})

t.test('rejects iat in the future beyond the leeway, and allows skew within it', async (t) => {
  const now = Math.floor(clock.now() / 1000)
  const leeway = app.config.jwt.clockToleranceSeconds
  await assertRejected(t, await craft({ claims: { iat: now + leeway + 60, exp: now + leeway + 60 + TTL_SECONDS } }), 'a minute ahead')
  const skewed = await me(await craft({ claims: { iat: now + leeway - 2, exp: now + leeway - 2 + TTL_SECONDS } }))
  t.equal(skewed.statusCode, 200, 'clock skew inside JWT_CLOCK_TOLERANCE_SECONDS is tolerated')
})

t.test('rejects a lifetime longer than ACCESS_TOKEN_TTL_SECONDS', async (t) => {
  const now = Math.floor(clock.now() / 1000)
  await assertRejected(t, await craft({ claims: { exp: now + TTL_SECONDS + 1 } }), 'one second too long')
  await assertRejected(t, await craft({ claims: { exp: now + 365 * 86400 } }), 'a year')
})

t.test('rejects a token missing a required claim', async (t) => {
  for (const claim of ['exp', 'iat', 'sub', 'jti', 'sid', 'sv']) {
    await assertRejected(t, await craft({ omit: [claim] }), `no ${claim}`)
  }
})

t.test('rejects claims of the wrong type', async (t) => {
  await assertRejected(t, await craft({ claims: { sv: '0' } }), 'sv as a string')
  await assertRejected(t, await craft({ claims: { sv: 0.5 } }), 'sv not an integer')
  await assertRejected(t, await craft({ claims: { sid: 42 } }), 'sid as a number')
  await assertRejected(t, await craft({ claims: { exp: String(Math.floor(clock.now() / 1000) + 60) } }), 'exp as a string')
})

t.test('rejects headers that point at other keys: jku, jwk, x5u, x5c (RFC 8725 §3.10)', async (t) => {
  // Signed with our own key, so only the header can be the reason: keys come from our set, never from the token.
  const ourJwk = { ...(await exportJWK(keys.byKid.get(signing.kid)!.publicKey)), kid: signing.kid }
  const headers: Record<string, Record<string, unknown>> = {
    jku: { jku: 'https://evil.example.com/jwks.json' },
    jwk: { jwk: ourJwk },
    x5u: { x5u: 'https://evil.example.com/cert.pem' },
    x5c: { x5c: ['MIIB'] }
  }
  for (const [label, header] of Object.entries(headers)) await assertRejected(t, await craft({ header }), label)
  // The classic attack: embed an attacker key and sign with it.
  const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  const embedded = await craft({ header: { jwk: await exportJWK(attacker.publicKey) }, key: attacker.privateKey })
  await assertRejected(t, embedded, 'embedded attacker jwk')
})

t.test('looks keys up by exact kid only', async (t) => {
  const lookalikes = ['unknown-kid', '../../x', `../${signing.kid}`, `${signing.kid}/../${signing.kid}`, signing.kid.toUpperCase(), `${signing.kid} `, ''].filter((kid) => kid !== signing.kid)
  for (const kid of lookalikes) {
    await assertRejected(t, await craft({ header: { kid } }), `kid ${JSON.stringify(kid)}`)
  }
  await assertRejected(t, await craft({ header: { kid: undefined } }), 'no kid')
})
