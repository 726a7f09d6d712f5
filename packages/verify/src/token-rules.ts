// The token rules, once, for Rotor and for every service that verifies its tokens. Synchronous, no store, no network.
// RFC 8725: the key's own alg pins the algorithm (§3.1); keys come only from the given set by exact kid, never from
// jku/x5u/jwk/x5c/x5t (§3.10); typ at+jwt (§3.11, RFC 9068 §4); iss and aud exact (§3.8, §3.9); bounded leeway.
// The JWS (RFC 7515 §5.2) is checked with node:crypto directly: the header our signer writes is recognised by its
// exact text and needs no parsing, the signature is checked before the payload is read, and the claims once, here.
// A never-seen token (a cold request) pays one signature check and one JSON.parse; a library in between decoded and
// parsed both segments again and ran generic claim matchers (docs/benchmarks.md, scenario 7). Checks run in the
// order jose and then fast-jwt ran them in Rotor before, so every crafted token keeps its rejection reason.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto'
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

interface KeyVerifier { alg: SigningAlg, publicKey: KeyObject }
/** The key a token names, and whether its header says typ at+jwt (judged after the signature, as before). */
interface Judged { key: KeyVerifier, typOk: boolean }

const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256', 'crit'] as const
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'jti', 'sid', 'sv', 'iss', 'aud']
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const reject = (reason: VerifyFailure): never => { throw new AccessTokenError(reason) }
// No base64url text is 4n+1 characters long (RFC 4648 §5); Buffer would decode one anyway, jose refused it.
const badLength = (segment: number): boolean => segment % 4 === 1
// RFC 9068 §2.1: "at+jwt"; the media type may carry its "application/" prefix (RFC 7515 §4.1.9).
const isAccessTokenTyp = (typ: unknown): boolean =>
  typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === ACCESS_TOKEN_TYP

/** The JSON object a base64url segment holds, or undefined. */
function jsonObject (segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

export function createTokenVerifier (options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience, maxLifetimeSeconds: ttlSeconds, clockToleranceSeconds: leeway } = options
  const keys = [...options.keys]
  const algorithms = new Set<unknown>(keys.map((k) => k.alg))
  const byKid = new Map<string, KeyVerifier>()
  // The exact header segment our signer writes for each key: such a header needs no parsing to be trusted.
  const byHeaderSegment = new Map<string, Judged>()
  for (const { kid, alg, publicKey } of keys) {
    const key = { alg, publicKey }
    byKid.set(kid, key)
    byHeaderSegment.set(Buffer.from(JSON.stringify({ alg, kid, typ: ACCESS_TOKEN_TYP })).toString('base64url'), { key, typOk: true })
  }

  const judgeHeader = (segment: string): Judged => {
    const known = byHeaderSegment.get(segment)
    if (known !== undefined) return known
    const header = badLength(segment.length) ? undefined : jsonObject(segment)
    if (header === undefined) return reject('malformed')
    // RFC 7515 §4.1.11: a crit we do not understand makes the token invalid. jose understood only b64; even that
    // header is refused below, with the other headers no access token of ours carries.
    if (header.crit !== undefined && (!Array.isArray(header.crit) || header.crit.length === 0 ||
      header.crit.some((name) => name !== 'b64') || typeof header.b64 !== 'boolean')) return reject('malformed')
    if (typeof header.alg !== 'string' || !algorithms.has(header.alg)) return reject('malformed')
    if (FORBIDDEN_HEADERS.some((name) => name in header)) return reject('bad_claims')
    const key = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined
    // The key's own alg pins the algorithm: a token cannot pick a weaker one for a known key.
    if (key === undefined || key.alg !== header.alg) return reject('unknown_key')
    return { key, typOk: isAccessTokenTyp(header.typ) }
  }

  // RFC 7519 §7.2 steps: every claim we rely on is present, iss is ours, aud is ours or an array holding ours.
  const checkIssuance = (payload: Record<string, unknown>): void => {
    const { iss, aud } = payload
    if (REQUIRED_CLAIMS.some((claim) => !(claim in payload)) || iss !== issuer) reject('bad_claims')
    if (Array.isArray(aud) ? !aud.every((a) => typeof a === 'string') || !aud.includes(audience) : aud !== audience) reject('bad_claims')
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
    const { key, typOk } = judgeHeader(token.slice(0, firstDot))
    if (badLength(token.length - lastDot - 1)) return reject('malformed')
    if (!signatureHolds(key, token, lastDot)) return reject('bad_signature')
    const payload = badLength(lastDot - firstDot - 1) ? undefined : jsonObject(token.slice(firstDot + 1, lastDot))
    if (payload === undefined) return reject('malformed')
    if (!typOk) return reject('bad_claims')
    checkIssuance(payload)
    return claimsOf(payload, Math.floor(nowMs / 1000))
  }
}

function signatureHolds ({ alg, publicKey }: KeyVerifier, token: string, lastDot: number): boolean {
  // The signing input is the token's ASCII text up to the last dot (JWS_SHAPE holds): latin1 copies it byte for byte.
  const data = Buffer.from(token.slice(0, lastDot), 'latin1')
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
