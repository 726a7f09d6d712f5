// A bounded cache of access tokens already verified by this process. A token serves many requests during its
// lifetime, and a signature check costs far more than a lookup: a hit skips the signature work only. It never
// replaces the revocation check (done by the caller on every request) and never outlives the token's exp.
// Entries are found by the end of the token's signature (no hashing of the whole token per request) and a hit must
// match the whole token text: a token with any byte changed, a cached signature pasted under another payload
// included, is a miss and is verified in full. The price is memory: each entry keeps its token's text and claims.
import type { AccessClaims } from './claims.js'
import { createOldestFirstMap } from './oldest-first-map.js'

export interface VerifiedTokenCache {
  get (token: string): AccessClaims | undefined
  set (token: string, claims: AccessClaims): void
  size (): number
}

export interface VerifiedTokenCacheOptions {
  /** 0 turns the cache off. */
  maxEntries: number
  /** Same leeway verification allows, so a hit is accepted exactly when a full verification would be. */
  clockToleranceSeconds: number
  maxTokenAgeSeconds: number
  nowMs: () => number
}

// The key is the last 5 characters of the signature read as 30 bits: a small integer on every V8 build, which the Map
// hashes and compares without touching a string, and no key string kept per entry (measured: 4-29% less server CPU
// per warm request than a 22-character key, A/B in one run, docs/benchmarks.md). Among 100,000 entries a few pairs of
// tokens share a key; the newer one replaces the older, which is then verified in full once more. Safety comes from
// the full compare.
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const SEXTET = new Uint8Array(128)
for (let i = 0; i < BASE64URL.length; i++) SEXTET[BASE64URL.charCodeAt(i)] = i
/** Any string gets a key (other characters count as 0, positions before the start as nothing): a miss, not an error. */
const keyOf = (token: string): number => {
  const n = token.length
  let key = 0
  for (let i = Math.max(0, n - 5); i < n; i++) key = (key << 6) | (SEXTET[token.charCodeAt(i)] ?? 0)
  return key
}
/** Stored in memory of their own: a slice would keep the request's header string alive and read through it. */
const ownCopy = (ascii: string): string => Buffer.from(ascii, 'latin1').toString('latin1')

export function createVerifiedTokenCache (options: VerifiedTokenCacheOptions): VerifiedTokenCache {
  const { maxEntries, clockToleranceSeconds, maxTokenAgeSeconds, nowMs } = options
  // Insertion order is eviction order (oldest first): a hit is a lookup and nothing else (it runs on every
  // request), and tokens are short-lived, so the oldest entry is also the nearest to its exp.
  const entries = createOldestFirstMap<number, { token: string, claims: AccessClaims }>(maxEntries)

  return {
    get (token) {
      if (maxEntries === 0) return undefined
      const key = keyOf(token)
      const entry = entries.get(key)
      if (entry === undefined || entry.token !== token) return undefined
      const { claims } = entry
      const nowSeconds = Math.floor(nowMs() / 1000) // whole seconds, as in full verification
      if (claims.expiresAtSeconds <= nowSeconds - clockToleranceSeconds ||
        nowSeconds - claims.issuedAtSeconds - clockToleranceSeconds > maxTokenAgeSeconds) {
        entries.delete(key)
        return undefined
      }
      return claims
    },
    set (token, claims) {
      if (maxEntries === 0) return
      // Only verified tokens get here, so the text is ASCII (base64url and dots).
      const stored = ownCopy(token)
      const key = keyOf(stored)
      entries.set(key, { token: stored, claims })
    },
    size: () => entries.size()
  }
}
