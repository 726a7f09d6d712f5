// Access tokens: JWT profile of RFC 9068 (typ "at+jwt"), signed with our key set and verified locally, no store
// round trip. Verification (access-token-verifier.ts) follows RFC 8725; a token already verified by this process is
// answered from the verified-token cache, with its exp and age still checked on every use.
import { randomInt } from 'node:crypto'
import type { KeySet } from './key-set.js'
import { randomId } from '../sessions/refresh-token.js'
import { createAccessTokenSigner } from './access-token-signer.js'
import { ACCESS_TOKEN_TYP, AccessTokenError, createTokenVerifier, type AccessClaims } from './access-token-verifier.js'
import { createVerifiedTokenCache } from './verified-token-cache.js'

export { ACCESS_TOKEN_TYP, AccessTokenError, type AccessClaims, type VerifyFailure } from './access-token-verifier.js'
export const ACCESS_TOKEN_MAX_LENGTH = 4096

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
  sign (subject: AccessTokenSubject): Promise<{ token: string, expiresIn: number }>
  /** Resolves with the claims or rejects with AccessTokenError; never touches the network. */
  verify (token: string): Promise<AccessClaims>
  /** The same verification without a promise: returns the claims or throws AccessTokenError. */
  verifySync (token: string): AccessClaims
  /**
   * Verifications so far: answered from the verified-token cache, and checked in full (signature and all: a token
   * this process had not seen, or no longer holds). Plain counters, read by the metrics collector.
   */
  verifications (): { cached: number, full: number }
}

const MAX_JITTER = 0.05

/** Who a token is for. No email or other personal data: a JWT is signed, not encrypted (guide: "no personal data in tokens"). */
export interface AccessTokenSubject { userId: string, roles: string[], sessionId: string, sessionVersion: number }

export function createAccessTokens (options: AccessTokenOptions): AccessTokens {
  const { keySet, issuer, audience, clientId, ttlSeconds, clockToleranceSeconds, nowMs } = options
  const cache = createVerifiedTokenCache({
    maxEntries: options.cacheMaxEntries ?? 0, clockToleranceSeconds, maxTokenAgeSeconds: ttlSeconds, nowMs
  })
  const verifyFully = createTokenVerifier({ keySet, issuer, audience, ttlSeconds, clockToleranceSeconds })
  const signToken = createAccessTokenSigner(keySet.signing, ACCESS_TOKEN_TYP)

  const counts = { cached: 0, full: 0 }

  const verifySync = (token: string): AccessClaims => {
    // Bounded before anything reads it. A cache hit is the very text of a token verified before, so it needs no more.
    if (token.length > ACCESS_TOKEN_MAX_LENGTH) throw new AccessTokenError('malformed')
    const cached = cache.get(token)
    if (cached !== undefined) {
      counts.cached++
      return cached
    }
    counts.full++
    const claims = verifyFully(token, nowMs())
    cache.set(token, claims)
    return claims
  }

  return {
    async sign ({ userId, roles, sessionId, sessionVersion }) {
      const nowSeconds = Math.floor(nowMs() / 1000)
      const lifetime = ttlSeconds - randomInt(0, Math.floor(ttlSeconds * MAX_JITTER) + 1)
      // RFC 9068 §2.2 claims, plus sid/sv (session and its version, for revocation) and roles.
      const token = signToken({
        client_id: clientId, sid: sessionId, sv: sessionVersion, roles,
        iss: issuer, aud: audience, sub: userId, iat: nowSeconds, exp: nowSeconds + lifetime, jti: randomId()
      })
      return { token, expiresIn: lifetime }
    },
    async verify (token) { return verifySync(token) },
    verifySync,
    verifications: () => ({ ...counts })
  }
}
