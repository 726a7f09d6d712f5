// Access tokens as issued: the RFC 9068 JWT profile, verification against the published JWKS, GET /me, and expiry
// on the service clock.
import t from 'tap'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { bearer, buildTestApp, json, manualClock, registerAndLogin, testKeySet } from './helper.js'

const ISSUER_ENV = { JWT_ISSUER: 'https://auth.example.com', JWT_AUDIENCE: 'https://api.example.com', JWT_CLIENT_ID: 'web-app' }

t.test('issues an at+jwt signed with EdDSA under a kid published in the JWKS', async (t) => {
  const clock = manualClock(Date.UTC(2031, 5, 7, 8, 9, 10, 999))
  const app = await buildTestApp(t, { env: ISSUER_ENV, clock: clock.now })
  const user = await registerAndLogin(app)
  const header = decodeProtectedHeader(user.accessToken)
  t.same(header, { alg: 'EdDSA', kid: header.kid, typ: 'at+jwt' }, 'RFC 9068 §2.1: typ at+jwt, and nothing else in the header')
  const jwks = json<JSONWebKeySet>(await app.inject({ method: 'GET', url: '/.well-known/jwks.json' }))
  t.ok(jwks.keys.some((k) => k.kid === header.kid && k.alg === 'EdDSA'), 'the kid is in the JWKS')

  // Any resource server holding only the public JWKS can verify it.
  const { payload } = await jwtVerify(user.accessToken, createLocalJWKSet(jwks), {
    issuer: ISSUER_ENV.JWT_ISSUER, audience: ISSUER_ENV.JWT_AUDIENCE, typ: 'at+jwt', algorithms: ['EdDSA'], currentDate: new Date(clock.now())
  })
  t.match(payload, {
    iss: 'https://auth.example.com',
    aud: 'https://api.example.com',
    sub: user.userId,
    sid: user.sessionId,
    sv: 0,
    client_id: 'web-app',
    jti: String
  })
  const nowSeconds = Math.floor(clock.now() / 1000)
  t.equal(payload.iat, nowSeconds, 'iat is the service clock, in whole seconds')
  // ACCESS_TOKEN_TTL_SECONDS less up to 5% of jitter, so refreshes across a fleet do not arrive in lockstep.
  t.ok(payload.exp! <= nowSeconds + 900 && payload.exp! >= nowSeconds + 855, 'lifetime is within 5% below ACCESS_TOKEN_TTL_SECONDS')
})

t.test('gives every access token its own jti', async (t) => {
  const app = await buildTestApp(t)
  const a = await registerAndLogin(app)
  const b = await registerAndLogin(app)
  t.not(decodeJwt(a.accessToken).jti, decodeJwt(b.accessToken).jti)
})

t.test('signs with ES256 when JWT_ALG=ES256', async (t) => {
  const app = await buildTestApp(t, { env: { JWT_ALG: 'ES256' }, keySet: await testKeySet('ES256') })
  const user = await registerAndLogin(app)
  const header = decodeProtectedHeader(user.accessToken)
  t.equal(header.alg, 'ES256')
  t.equal(header.typ, 'at+jwt')
  const jwks = json<JSONWebKeySet>(await app.inject({ method: 'GET', url: '/.well-known/jwks.json' }))
  t.match(jwks.keys.find((k) => k.kid === header.kid), { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', x: String, y: String })
  await t.resolves(jwtVerify(user.accessToken, createLocalJWKSet(jwks), { algorithms: ['ES256'] }))
  const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })
  t.equal(me.statusCode, 200)
})

t.test('GET /me answers with the user and session of the token', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const res = await app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })
  t.equal(res.statusCode, 200)
  t.same(json(res), { id: user.userId, email: user.email, session_id: user.sessionId, degraded: false })
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  const lower = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `bearer ${user.accessToken}` } })
  t.equal(lower.statusCode, 200)
})

t.test('carries no email: /me reads it from the user store, remembered per process unless turned off', async (t) => {
  for (const cache of ['100000', '0']) {
    const app = await buildTestApp(t, { env: { USER_EMAIL_CACHE_MAX_ENTRIES: cache } })
    const user = await registerAndLogin(app)
    const payload = decodeJwt(user.accessToken)
    t.equal(payload.email, undefined, 'no email claim')
    t.notOk(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString().includes(user.email.split('@')[0]!), 'no part of it')
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })
      t.same(json(res), { id: user.userId, email: user.email, session_id: user.sessionId, degraded: false }, `cache ${cache}, call ${i + 1}`)
    }
  }
})

t.test('GET /me without a usable bearer token is 401 invalid_token with WWW-Authenticate', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const cases: Record<string, Record<string, string>> = {
    missing: {},
    garbage: { authorization: 'Bearer not-a-token' },
    'garbage with dots': { authorization: 'Bearer aaa.bbb.ccc' },
    'empty bearer': { authorization: 'Bearer ' },
    'basic scheme': { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
    'token without scheme': { authorization: user.accessToken },
    'token in another scheme': { authorization: `Token ${user.accessToken}` },
    'two tokens': { authorization: `Bearer ${user.accessToken} ${user.accessToken}` },
    'truncated signature': { authorization: `Bearer ${user.accessToken.slice(0, -4)}` },
    'oversized': { authorization: `Bearer ${user.accessToken}${'A'.repeat(5000)}` }
  }
  for (const [label, headers] of Object.entries(cases)) {
    const res = await app.inject({ method: 'GET', url: '/me', headers })
    t.equal(res.statusCode, 401, label)
    // RFC 6750 §3: a 401 names the scheme and the error.
    t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"', label)
    t.equal(json(res).error, 'invalid_token', label)
    t.notMatch(res.body, /stack|\.[jt]s:\d+/, label)
  }
})

t.test('an access token is accepted until exp and rejected once exp and the leeway have passed', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const user = await registerAndLogin(app)
  const { exp } = decodeJwt(user.accessToken)
  const me = () => app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })

  clock.advance(exp! * 1000 - clock.now() - 1000)
  t.equal((await me()).statusCode, 200, 'one second before exp')

  // JWT_CLOCK_TOLERANCE_SECONDS (10) absorbs clock skew between servers, and no more.
  clock.advance(11_000)
  const expired = await me()
  t.equal(expired.statusCode, 401, 'past exp plus the leeway')
  t.equal(expired.headers['www-authenticate'], 'Bearer error="invalid_token"')
  t.same(json(expired), { error: 'invalid_token', error_description: 'The access token has expired' })
})

t.test('with no leeway an access token is rejected from the second of exp', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env: { JWT_CLOCK_TOLERANCE_SECONDS: '0' } })
  const user = await registerAndLogin(app)
  const { exp } = decodeJwt(user.accessToken)
  const me = () => app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })

  clock.advance(exp! * 1000 - clock.now() - 1)
  t.equal((await me()).statusCode, 200, 'a millisecond before exp')
  clock.advance(1)
  t.equal((await me()).statusCode, 401, 'at exp (RFC 7519 §4.1.4: on or after exp it must not be accepted)')
})

t.test('publishes only public key members in the JWKS, cacheable for a bounded time', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['cache-control'], /max-age=\d+/)
  const { keys } = json<JSONWebKeySet>(res)
  t.ok(keys.length >= 1)
  const keySet = await testKeySet()
  for (const key of keys) {
    // RFC 7517 §9.2 / RFC 8037 §2: "d" is the private key; none of the private members may appear.
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) t.notOk(secret in key, `no "${secret}" in ${key.kid}`)
    t.match(key, { kid: String, alg: /^(EdDSA|ES256)$/, use: 'sig', kty: String, x: String })
    t.ok(keySet.byKid.has(key.kid!), 'every published kid is one of ours')
  }
  t.ok(keys.some((k) => k.kid === keySet.signing.kid), 'the signing key is published')
  t.notMatch(res.body, /"d"/)
})
