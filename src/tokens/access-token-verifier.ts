// Full verification of one access token, for a verified-token cache miss. The rules themselves (RFC 8725, RFC 9068)
// live once, in the @rotor/verify package that resource servers use too: this adapter feeds them our key set.
import { createTokenVerifier as createTokenRules, type TokenVerifier } from '@rotor/verify'
import type { KeySet } from './key-set.js'

export { ACCESS_TOKEN_TYP, AccessTokenError, type AccessClaims, type TokenVerifier, type VerifyFailure } from '@rotor/verify'

export interface TokenVerifierOptions {
  keySet: KeySet
  issuer: string
  audience: string
  ttlSeconds: number
  clockToleranceSeconds: number
}

export function createTokenVerifier (options: TokenVerifierOptions): TokenVerifier {
  const { keySet, issuer, audience, ttlSeconds, clockToleranceSeconds } = options
  return createTokenRules({ keys: keySet.byKid.values(), issuer, audience, maxLifetimeSeconds: ttlSeconds, clockToleranceSeconds })
}
