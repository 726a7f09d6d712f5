// The token rules, once, for Rotor and for every service that verifies its tokens: our own header checks, fast-jwt's
// verifier for the one key the kid names, then the time and type checks on the caller's clock. Synchronous, no store,
// no network. RFC 8725: the key's own alg pins the algorithm (§3.1); keys come only from the given set by exact kid,
// never from jku/x5u/jwk/x5c/x5t (§3.10); typ at+jwt (§3.11, RFC 9068 §4); iss and aud exact (§3.8, §3.9); bounded
// leeway. Checks run in the order jose ran them in Rotor before, so every token keeps its rejection reason.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { createVerifier, TokenError, type TokenValidationErrorCode } from 'fast-jwt'
import { ACCESS_TOKEN_TYP, AccessTokenError, type AccessClaims, type SigningAlg, type VerificationKey, type VerifyFailure } from './claims.js'

export interface TokenVerifierOptions {
  /** The public keys a token may name, by exact kid. */
  keys: Iterable<VerificationKey>
  issuer: string
  audience: string
  /** The longest lifetime the issuer gives a token (Rotor: ACCESS_TOKEN_TTL_SECONDS); longer or older is refused. */
  maxLifetimeSeconds: number
  clockToleranceSeconds: number
}

/** The claims of a token that passes every check at `nowMs`; throws AccessTokenError otherwise. */
export type TokenVerifier = (token: string, nowMs: number) => AccessClaims

interface KeyVerifier { alg: SigningAlg, publicKey: KeyObject, check: (token: string) => Record<string, unknown> }

const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256', 'crit'] as const
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'jti', 'sid', 'sv', 'iss', 'aud']
const FAILURES: Partial<Record<TokenValidationErrorCode, VerifyFailure>> = {
  FAST_JWT_INVALID_SIGNATURE: 'bad_signature',
  FAST_JWT_VERIFY_ERROR: 'bad_signature',
  FAST_JWT_MISSING_SIGNATURE: 'bad_signature',
  FAST_JWT_INVALID_ALGORITHM: 'unknown_key',
  FAST_JWT_INVALID_TYPE: 'bad_claims',
  FAST_JWT_MISSING_REQUIRED_CLAIM: 'bad_claims',
  FAST_JWT_INVALID_CLAIM_TYPE: 'bad_claims',
  FAST_JWT_INVALID_CLAIM_VALUE: 'bad_claims',
  FAST_JWT_INVALID_CRIT_HEADER: 'bad_claims'
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const reject = (reason: VerifyFailure): never => { throw new AccessTokenError(reason) }
// No base64url text is 4n+1 characters long (RFC 4648 §5); Buffer would decode one anyway, jose refused it.
const badLength = (segment: number): boolean => segment % 4 === 1

export function createTokenVerifier (options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience, maxLifetimeSeconds: ttlSeconds, clockToleranceSeconds: leeway } = options
  const keys = [...options.keys]
  const algorithms = new Set<unknown>(keys.map((k) => k.alg))
  const byKid = new Map<string, KeyVerifier>()
  // The exact header segment our signer writes for each key: such a header needs no parsing to be trusted.
  const byHeaderSegment = new Map<string, KeyVerifier>()
  for (const { kid, alg, publicKey } of keys) {
    const check = createVerifier({
      // Imported once, here: fast-jwt takes the key as PEM text and keeps the KeyObject it makes from it.
      key: publicKey.export({ format: 'pem', type: 'spki' }) as string,
      algorithms: [alg],
      checkTyp: ACCESS_TOKEN_TYP,
      allowedIss: issuer,
      allowedAud: audience,
      requiredClaims: REQUIRED_CLAIMS,
      // exp, nbf and iat are checked below on the injected clock: fast-jwt reads its clock once, at creation.
      ignoreExpiration: true,
      ignoreNotBefore: true,
      cache: false // the caller's sits in front (verified-token-cache.ts) and sees only hits fast-jwt would recompute
    })
    const entry = { alg, publicKey, check }
    byKid.set(kid, entry)
    byHeaderSegment.set(Buffer.from(JSON.stringify({ alg, kid, typ: ACCESS_TOKEN_TYP })).toString('base64url'), entry)
  }

  const keyFor = (segment: string): KeyVerifier => {
    const known = byHeaderSegment.get(segment)
    if (known !== undefined) return known
    let header: Record<string, unknown> | undefined
    try {
      if (!badLength(segment.length)) header = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')))
    } catch { /* rejected just below */ }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return reject('malformed')
    // RFC 7515 §4.1.11: a crit we do not understand makes the token invalid. jose understood only b64; even that
    // header is refused below, with the other headers no access token of ours carries.
    if (header.crit !== undefined && (!Array.isArray(header.crit) || header.crit.length === 0 ||
      header.crit.some((name) => name !== 'b64') || typeof header.b64 !== 'boolean')) return reject('malformed')
    if (typeof header.alg !== 'string' || !algorithms.has(header.alg)) return reject('malformed')
    if (FORBIDDEN_HEADERS.some((name) => name in header)) return reject('bad_claims')
    const key = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined
    // The key's own alg pins the algorithm: a token cannot pick a weaker one for a known key.
    if (key === undefined || key.alg !== header.alg) return reject('unknown_key')
    return key
  }

  const claimsOf = (payload: Record<string, unknown>, now: number): AccessClaims => {
    const { iat, nbf, exp, sub, sid, sv, jti, roles = [] } = payload
    if (typeof iat !== 'number' || (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + leeway))) return reject('bad_claims')
    if (typeof exp !== 'number') return reject('bad_claims')
    // RFC 7519 §4.1.4: on or after exp (less the leeway) the token is not accepted; nor once older than we issue.
    if (exp <= now - leeway || now - iat - leeway > ttlSeconds) return reject('expired')
    // Issued in the future, or a lifetime longer than we issue: not one of ours as configured (RFC 8725 §3.10).
    if (now - iat < -leeway || exp - iat > ttlSeconds) return reject('bad_claims')
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string' || !Number.isSafeInteger(sv) ||
      !Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return reject('bad_claims')
    return { userId: sub, roles, sessionId: sid, sessionVersion: sv as number, jti, expiresAtSeconds: exp, issuedAtSeconds: iat }
  }

  return (token, nowMs) => {
    if (!JWS_SHAPE.test(token)) return reject('malformed')
    const firstDot = token.indexOf('.')
    const lastDot = token.lastIndexOf('.')
    const key = keyFor(token.slice(0, firstDot))
    if (badLength(token.length - lastDot - 1)) return reject('malformed')
    let payload: Record<string, unknown>
    try {
      payload = key.check(token)
    } catch (err) {
      const failure = err instanceof TokenError ? FAILURES[err.code] : undefined
      // Otherwise the payload is not a JSON object. The signature is judged first, as jose did: garbage stays bad_signature.
      return reject(failure ?? (signatureHolds(key, token, lastDot) ? 'malformed' : 'bad_signature'))
    }
    if (badLength(lastDot - firstDot - 1)) return reject('malformed')
    return claimsOf(payload, Math.floor(nowMs / 1000))
  }
}

function signatureHolds ({ alg, publicKey }: KeyVerifier, token: string, lastDot: number): boolean {
  const data = Buffer.from(token.slice(0, lastDot))
  const signature = Buffer.from(token.slice(lastDot + 1), 'base64url')
  try {
    // RFC 7518 §3.4: an ES256 signature is r||s, not DER.
    return alg === 'EdDSA'
      ? cryptoVerify(null, data, publicKey, signature)
      : cryptoVerify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
  } catch {
    return false
  }
}
