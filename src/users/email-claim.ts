// Claiming an email for a new account: the first step of a registration (src/users/user-store.ts). The index entry
// and the user record live in different hash slots, so a registration is three writes: a claim that expires by
// itself, the user, then the claim made durable. A crash in between frees the email within seconds. A failover can
// still lose the user record while the durable entry survives (each on its own node): the email would then be
// taken by nobody for good, so such an orphan is taken over by the next registration of that email.
import type { KeyNames } from '../key-names.js'
import { defineScripts, runScript, type RedisClient } from '../sessions/scripts.js'

const CLAIM_TTL_MS = 10_000

/** Whether the email is now claimed for `userId`: free, or held by an orphan entry. */
export async function claimEmail (redis: RedisClient, keys: KeyNames, email: string, userId: string): Promise<boolean> {
  const key = keys.email(email)
  if (await redis.set(key, userId, 'PX', CLAIM_TTL_MS, 'NX') === 'OK') return true
  // Read on the master: MGET, which a local-read route leaves there (src/redis-local-reads.ts).
  const [[holder], ttlMs] = await Promise.all([redis.mget(key), redis.pttl(key)])
  // Gone meanwhile (an expired claim): the caller's user may answer 409 and retry; in flight (a TTL): not an orphan.
  if (holder === null || holder === undefined || ttlMs !== -1) return false
  if (await redis.exists(keys.user(holder)) === 1) return false
  defineScripts(redis)
  return Number(await runScript(redis, 'take-over-email', [key], [holder, userId, CLAIM_TTL_MS])) === 1
}
