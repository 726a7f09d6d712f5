// Access tokens: JWT profile of RFC 9068 (typ "at+jwt"), signed with our key set and verified locally, no store
// round trip. Verification follows RFC 8725: pinned algorithms (§3.1), keys only from our own set by exact kid
// (never jku/x5u/jwk/x5c, §3.10), required exp/iat/iss/aud/typ (§3.8, §3.11), bounded clock leeway.
import { randomInt } from 'node:crypto'
import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose'
import type { KeySet, VerificationKey } from './key-set.js'
import { randomId } from '../sessions/refresh-token.js'
import { createVerifiedTokenCache } from './verified-token-cache.js'

export const ACCESS_TOKEN_TYP = 'at+jwt'
export const ACCESS_TOKEN_MAX_LENGTH = 4096

export interface AccessClaims {
  userId: string
  email: string
  roles: string[]
  sessionId: string
  sessionVersion: number
  jti: string
  expiresAtSeconds: number
  issuedAtSeconds: number
}

export type VerifyFailure = 'malformed' | 'expired' | 'bad_signature' | 'bad_claims' | 'unknown_key'

export class AccessTokenError extends Error {
  override name = 'AccessTokenError'
  constructor (readonly reason: VerifyFailure) { super(`access token rejected: ${reason}`) }
}

export interface AccessTokenOptions {
  keySet: KeySet
  issuer: string
  audience: string
  clientId: string
  ttlSeconds: number
  clockToleranceSeconds: number
  nowMs: () => number
  /** Verified tokens kept to skip repeat signature checks; 0 turns the cache off. */
  cacheMaxEntries?: number
}

export interface AccessTokens {
  /** Lifetime: the configured TTL less up to 5% at random, so a fleet's refreshes do not arrive in lockstep. */
  sign (subject: { userId: string, email: string, roles: string[], sessionId: string, sessionVersion: number }): Promise<{ token: string, expiresIn: number }>
  /** Resolves with the claims or rejects with AccessTokenError; never touches the network. */
  verify (token: string): Promise<AccessClaims>
}

const MAX_JITTER = 0.05
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256', 'crit'] as const
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export function createAccessTokens (options: AccessTokenOptions): AccessTokens {
  const { keySet, issuer, audience, clientId, ttlSeconds, clockToleranceSeconds, nowMs } = options
  const cache = createVerifiedTokenCache({
    maxEntries: options.cacheMaxEntries ?? 0, clockToleranceSeconds, maxTokenAgeSeconds: ttlSeconds, nowMs
  })
  const algorithms = [...new Set([...keySet.byKid.values()].map((k) => k.alg))]

  const resolveKey = (header: JWTHeaderParameters): VerificationKey['publicKey'] => {
    if (FORBIDDEN_HEADERS.some((name) => name in header)) throw new AccessTokenError('bad_claims')
    const key = typeof header.kid === 'string' ? keySet.byKid.get(header.kid) : undefined
    // The key's own alg pins the algorithm: a token cannot pick a weaker one for a known key.
    if (key === undefined || key.alg !== header.alg) throw new AccessTokenError('unknown_key')
    return key.publicKey
  }

  return {
    async sign ({ userId, email, roles, sessionId, sessionVersion }) {
      const nowSeconds = Math.floor(nowMs() / 1000)
      const lifetime = ttlSeconds - randomInt(0, Math.floor(ttlSeconds * MAX_JITTER) + 1)
      const token = await new SignJWT({ client_id: clientId, sid: sessionId, sv: sessionVersion, email, roles })
        .setProtectedHeader({ alg: keySet.signing.alg, kid: keySet.signing.kid, typ: ACCESS_TOKEN_TYP })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(userId)
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + lifetime)
        .setJti(randomId())
        .sign(keySet.signing.privateKey)
      return { token, expiresIn: lifetime }
    },

    async verify (token) {
      if (token.length > ACCESS_TOKEN_MAX_LENGTH || !JWS_SHAPE.test(token)) throw new AccessTokenError('malformed')
      const cached = cache.get(token)
      if (cached !== undefined) return cached
      let payload
      try {
        ({ payload } = await jwtVerify(token, resolveKey, {
          algorithms,
          issuer,
          audience,
          typ: ACCESS_TOKEN_TYP,
          requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid', 'sv'],
          maxTokenAge: ttlSeconds,
          clockTolerance: clockToleranceSeconds,
          currentDate: new Date(nowMs())
        }))
      } catch (err) {
        throw toVerifyError(err)
      }
      const { sub, sid, sv, jti, exp, iat, email, roles = [] } = payload as Record<string, unknown>
      // A lifetime longer than we issue means the token is not one of ours as configured (RFC 8725 §3.10).
      if ((exp as number) - (iat as number) > ttlSeconds) throw new AccessTokenError('bad_claims')
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string' ||
        typeof email !== 'string' || !Number.isSafeInteger(sv) ||
        !Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw new AccessTokenError('bad_claims')
      const claims = { userId: sub, email, roles: roles as string[], sessionId: sid, sessionVersion: sv as number, jti, expiresAtSeconds: exp as number, issuedAtSeconds: iat as number }
      cache.set(token, claims)
      return claims
    }
  }
}

function toVerifyError (err: unknown): AccessTokenError {
  if (err instanceof AccessTokenError) return err
  if (err instanceof joseErrors.JWTExpired) return new AccessTokenError('expired')
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new AccessTokenError('bad_signature')
  if (err instanceof joseErrors.JWTClaimValidationFailed) return new AccessTokenError('bad_claims')
  return new AccessTokenError('malformed')
}
