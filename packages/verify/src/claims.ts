// What a verified Rotor access token says, and why one was refused. Shared by Rotor itself and by resource servers.
import type { KeyObject } from 'node:crypto'

export const ACCESS_TOKEN_TYP = 'at+jwt'

export type SigningAlg = 'EdDSA' | 'ES256'
export const SIGNING_ALGS: readonly SigningAlg[] = ['EdDSA', 'ES256']

/** A public key as Rotor publishes it: the kid names it exactly, its own alg pins the algorithm (RFC 8725 §3.1). */
export interface VerificationKey { kid: string, alg: SigningAlg, publicKey: KeyObject }

/** What a token says about its holder: opaque ids and roles, never personal data (anyone holding it can read it). */
export interface AccessClaims {
  userId: string
  roles: string[]
  sessionId: string
  sessionVersion: number
  jti: string
  expiresAtSeconds: number
  issuedAtSeconds: number
}

/** Why the token itself is refused (the token rules, token-rules.ts). */
export type VerifyFailure = 'malformed' | 'expired' | 'bad_signature' | 'bad_claims' | 'unknown_key'

/**
 * Why a resource server refuses a request's token: the token rules, plus `revoked` (the revocation feed says so),
 * `feed_down` (the feed has been down too long and onFeedDown is 'reject') and `not_ready` (no keys loaded yet).
 */
export type RejectReason = VerifyFailure | 'revoked' | 'feed_down' | 'not_ready'

export class AccessTokenError extends Error {
  override name = 'AccessTokenError'
  constructor (readonly reason: VerifyFailure) { super(`access token rejected: ${reason}`) }
}
