// @rotor/verify: verify Rotor's access tokens in your own services, with revocations pushed by Rotor's feed.
export { createVerifier, ACCESS_TOKEN_MAX_LENGTH, type Verifier, type VerifyResult, type VerifierStatus } from './verifier.js'
export type { VerifierOptions, FeedOptions } from './verifier-options.js'
export { VerifierConfigError, metadataUrlOf } from './discovery.js'
export { authenticateHeaders, checkRole, type AuthResult, type AuthFailure, type HeadersLike } from './http-auth.js'
export { parseBearer, hasSecondAuthorization } from './bearer.js'
export type { MetricEvent, MetricHook, FeedState } from './metrics.js'
// The token rules and the cache, also used by Rotor itself: one implementation for both.
export {
  ACCESS_TOKEN_TYP, SIGNING_ALGS, AccessTokenError,
  type AccessClaims, type RejectReason, type SigningAlg, type VerificationKey, type VerifyFailure
} from './claims.js'
export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-rules.js'
export { createOldestFirstMap, type OldestFirstMap } from './oldest-first-map.js'
export { createVerifiedTokenCache, type VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js'
export { keysOfJwks } from './jwks.js'
export { createRevocationList, parseFeedEvent, type FeedEvent, type RevocationList } from './revocation-list.js'
