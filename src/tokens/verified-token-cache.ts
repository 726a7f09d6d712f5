// A bounded cache of access tokens already verified by this process. A token serves many requests during its
// lifetime, and a signature check costs far more than a hash: a hit skips the signature work only. It never
// replaces the revocation check (done by the caller on every request) and never outlives the token's exp.
// Keys are SHA-256 of the whole token text, so a token with any byte changed is a miss and is verified in full.
import { createHash } from 'node:crypto'
import type { AccessClaims } from './access-token.js'

export interface VerifiedTokenCache {
  get (token: string): AccessClaims | undefined
  set (token: string, claims: AccessClaims): void
  size (): number
}

export function createVerifiedTokenCache (options: {
  maxEntries: number
  /** Same leeway verification allows, so a hit is accepted exactly when a full verification would be. */
  clockToleranceSeconds: number
  maxTokenAgeSeconds: number
  nowMs: () => number
}): VerifiedTokenCache {
  const { maxEntries, clockToleranceSeconds, maxTokenAgeSeconds, nowMs } = options
  // Insertion order is eviction order (oldest first): cheap, and tokens age out by exp anyway.
  const entries = new Map<string, { claims: AccessClaims, iatSeconds: number }>()
  const keyOf = (token: string) => createHash('sha256').update(token).digest('base64')

  return {
    get (token) {
      if (maxEntries === 0) return undefined
      const key = keyOf(token)
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      const nowSeconds = nowMs() / 1000
      if (entry.claims.expiresAtSeconds <= nowSeconds - clockToleranceSeconds ||
        nowSeconds - entry.iatSeconds - clockToleranceSeconds > maxTokenAgeSeconds) {
        entries.delete(key)
        return undefined
      }
      return entry.claims
    },
    set (token, claims) {
      if (maxEntries === 0) return
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
      entries.set(keyOf(token), { claims, iatSeconds: claims.issuedAtSeconds })
    },
    size: () => entries.size
  }
}
