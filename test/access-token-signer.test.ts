// Tokens signed with node:crypto are ordinary RFC 9068 JWTs: an independent library (jose) verifies them with the
// published JWKS, for both algorithms, and sees the header and claims Rotor promises.
import t from 'tap'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { createAccessTokens } from '../src/tokens/access-token.js'
import { generateKeySetJson, loadKeySet, SIGNING_ALGS } from '../src/tokens/key-set.js'

for (const alg of SIGNING_ALGS) {
  t.test(`signs ${alg} tokens that jose verifies against the JWKS`, async (t) => {
    const keySet = loadKeySet(await generateKeySetJson(alg), alg)
    const tokens = createAccessTokens({
      keySet, issuer: 'https://rotor.example', audience: 'api', clientId: 'rotor', ttlSeconds: 900, clockToleranceSeconds: 0, nowMs: Date.now
    })
    const subject = { userId: 'u1', roles: ['admin'], sessionId: 's1', sessionVersion: 3 }
    const { token, expiresIn } = await tokens.sign(subject)
    t.same(decodeProtectedHeader(token), { alg, kid: keySet.signing.kid, typ: 'at+jwt' })
    const { payload } = await jwtVerify(token, createLocalJWKSet(keySet.jwks), {
      algorithms: [alg], issuer: 'https://rotor.example', audience: 'api', typ: 'at+jwt', requiredClaims: ['exp', 'iat', 'jti', 'sub']
    })
    t.match(payload, { client_id: 'rotor', sub: 'u1', sid: 's1', sv: 3, roles: ['admin'] })
    t.same(Object.keys(payload).sort(), ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'roles', 'sid', 'sub', 'sv'], 'no email or other personal data')
    t.equal((payload.exp ?? 0) - (payload.iat ?? 0), expiresIn, 'exp - iat is the lifetime reported to the client')
    t.match(payload.jti, /^[A-Za-z0-9_-]{22}$/)
    t.same((await tokens.verify(token)).roles, ['admin'], 'and Rotor verifies its own token')
  })
}
