// Refresh-token format: v1.<userId>.<familyId>.<generation>.<secret>.<mac>
//
// - userId and familyId (16 random bytes each, base64url) name the Redis keys, so a token is routed to its user's
//   hash slot without a lookup.
// - secret is 256 bits. Generation 1 comes straight from the CSPRNG; generation N+1 is HMAC(deriveKey, family id,
//   N+1 and token N's secret). Redis keeps only SHA-256/128 of the current secret, never a usable token, yet a retry of
//   token N inside the grace window is answered with the *same* token N+1 (RFC 9700 §4.14.2): the server re-derives
//   it and Redis checks that its hash is the stored one, which also proves the retry holds the real token N.
//   Without the server key nobody can derive a successor, so holding token N grants nothing token N did not.
// - mac is HMAC-SHA256 under a key derived from REFRESH_TOKEN_SECRET over everything before it, so a forged or
//   altered family id is rejected before Redis is touched and cannot revoke a victim's family.
import { createHash, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

export const REFRESH_TOKEN_MAX_LENGTH = 200
const FORMAT = /^v1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})\.([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/

export interface RefreshTokenParts {
  userId: string
  familyId: string
  generation: number
  secret: string
}

export type ParseResult =
  | { ok: true, token: RefreshTokenParts }
  | { ok: false, reason: 'malformed' | 'bad_mac' }

export interface RefreshTokenCodec {
  /** Mint the text of a token from its parts. */
  format (parts: RefreshTokenParts): string
  /** Strict shape check, then constant-time MAC check; no I/O. */
  parse (text: string): ParseResult
  /** The secret of the generation after `previous`, derived from its secret under the server key. */
  deriveSecret (previous: RefreshTokenParts): string
}

// CSPRNG bytes drawn 4 KiB at a time and handed out once each: one call into the CSPRNG costs about 2 µs whatever
// its size, which was a measurable share of a refresh (docs/benchmarks.md). Node's randomUUID batches the same way.
const POOL_BYTES = 4096
let pool = randomBytes(POOL_BYTES)
let poolOffset = 0
function freshBytes (length: number): Buffer {
  if (poolOffset + length > POOL_BYTES) { pool = randomBytes(POOL_BYTES); poolOffset = 0 }
  const bytes = pool.subarray(poolOffset, poolOffset + length)
  poolOffset += length
  return bytes
}

/** A fresh 128-bit identifier (user ids, family ids, jti). */
export function randomId (): string {
  return freshBytes(16).toString('base64url')
}

/** A fresh 256-bit secret for a family's first generation. */
export function randomSecret (): string {
  return freshBytes(32).toString('base64url')
}

/** What Redis stores for a secret: SHA-256, truncated to 128 bits, raw (the secret has 256 bits of entropy). */
export function hashSecret (secret: string): Buffer {
  return createHash('sha256').update(secret).digest().subarray(0, 16)
}

export function createRefreshTokenCodec (serverSecret: string): RefreshTokenCodec {
  // Separate keys per purpose (HKDF, RFC 5869) so a MAC can never be replayed as a derived secret.
  // As KeyObjects: an HMAC keyed by one skips importing the raw key again on every call (~0.7 µs of ~3 µs each).
  const macKey = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'rotor', 'refresh-token mac v1', 32)))
  const deriveKey = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'rotor', 'refresh-token successor v1', 32)))
  const mac = (body: string): Buffer => createHmac('sha256', macKey).update(body).digest()

  return {
    format ({ userId, familyId, generation, secret }) {
      const body = `v1.${userId}.${familyId}.${generation}.${secret}`
      return `${body}.${mac(body).toString('base64url')}`
    },
    parse (text) {
      if (text.length > REFRESH_TOKEN_MAX_LENGTH) return { ok: false, reason: 'malformed' }
      const m = FORMAT.exec(text)
      if (m === null) return { ok: false, reason: 'malformed' }
      const [, userId, familyId, gen, secret, presented] = m as unknown as [string, string, string, string, string, string]
      const expected = mac(text.slice(0, text.length - presented.length - 1))
      const given = Buffer.from(presented, 'base64url')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_mac' }
      // base64url leaves spare bits in the last character: accept only the canonical spelling, one text per token.
      if (given.toString('base64url') !== presented) return { ok: false, reason: 'malformed' }
      return { ok: true, token: { userId, familyId, generation: Number(gen), secret } }
    },
    deriveSecret (previous) {
      return createHmac('sha256', deriveKey)
        .update(`${previous.familyId}.${previous.generation + 1}.${previous.secret}`)
        .digest('base64url')
    }
  }
}
