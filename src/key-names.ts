// Every Redis key name Rotor uses, built here and nowhere else.
//
// All keys of one user carry the hash tag {userId}, so they live in one Redis Cluster hash slot and every
// per-user operation is a single script (no CROSSSLOT). The email index is the only key outside a user's slot.
import { createHash } from 'node:crypto'

export interface KeyNames {
  /**
   * Hash: email, password hash `ph`, created-at, session version `sv`, roles, disabled flag, and one field per
   * refresh-token family, `f:<familyId>` (a packed record: src/sessions/scripts/family-state.lua). Durable: accounts
   * have no TTL; each family's idle and absolute expiry are enforced by the scripts, which prune dead fields.
   */
  user (userId: string): string
  /** String: canonical email → user id. Hashed so that no raw address, brace or odd byte ends up in a key name. */
  email (canonicalEmail: string): string
  /** What every email index key starts with: the one lookup a Cluster may serve from a local replica (src/redis-local-reads.ts). */
  emailIndexPrefix (): string
  /** Stream: recent revocations, replayed by instances that missed the broadcast. TTL and MINID trim: one token lifetime. */
  revocationLog (): string
  /** Pub/sub channel (not a key) on which revocations are broadcast. */
  revocationChannel (): string
  /**
   * HyperLogLog: ids of the families used in one time bucket (`bucketHours` wide, numbered from the epoch), for the
   * active-sessions gauge. All buckets share the hash tag {active}, so one PFCOUNT spans them. TTL: idle window + bucket.
   */
  activeSessions (bucketHours: number, bucket: number): string
  /**
   * Hash: failed-login count and lock of one account, by its user id, or for an email without an account by its decoy
   * id (decoyUserId in src/auth/auth-service.ts): tagged like the user's keys, so it lives in the user's slot (the home
   * region's master). TTL: to the end of the lock plus the forget window (set by begin-login-attempt.lua).
   */
  loginFailures (subject: string): string
  /**
   * Namespace of the per-IP rate-limit counters: @fastify/rate-limit appends `<METHOD><route>-<client IP>`.
   * Each counter is a string with a TTL of its window (set by the plugin's script). With a `regionTag` (a hash tag in
   * the region's home slots, src/plugins/rate-limits.ts) every counter of the region is on its home master.
   */
  rateLimitNamespace (regionTag?: string): string
}

export function createKeyNames (prefix: string): KeyNames {
  return {
    user: (userId) => `${prefix}{${userId}}:user`,
    email: (canonicalEmail) => `${prefix}email:${createHash('sha256').update(canonicalEmail).digest('base64url')}`,
    emailIndexPrefix: () => `${prefix}email:`,
    revocationLog: () => `${prefix}revocations`,
    revocationChannel: () => `${prefix}revocations`,
    activeSessions: (bucketHours, bucket) => `${prefix}{active}:${bucketHours}h:${bucket}`,
    loginFailures: (subject) => `${prefix}{${subject}}:login-failures`,
    rateLimitNamespace: (regionTag) => regionTag === undefined ? `${prefix}rate-limit:` : `${prefix}{${regionTag}}:rate-limit:`
  }
}
