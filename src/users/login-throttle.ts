// Per-account login back-off (ASVS 2.2.1; OWASP Authentication Cheat Sheet, "Account lockout"): after
// `afterFailures` failed attempts on one account, further attempts are refused for a lock that doubles with each
// further failure but never exceeds `maxSeconds`, and a successful login clears it (the session it starts does:
// create-family.lua). A lock always ends by itself, so an attacker can slow a user down but never lock them out for
// good; meanwhile the attacker gets about one guess per `maxSeconds`. Keyed by the account's user id, or for an email
// without an account by a decoy id derived from it (no enumeration): one count per account for every region, in the
// user's home slot. State in Redis, shared by every
// instance and counted on Redis's clock (store-clock.lua), so instances need not agree on time; tests inject a clock
// instead. No Fastify here.
import type { KeyNames } from '../key-names.js'
import { defineScripts, nowOverride, runScript, type RedisClient } from '../sessions/scripts.js'

export interface LoginLockoutPolicy {
  /** 0 = off: every attempt is allowed and Redis is not touched. */
  afterFailures: number
  failureWindowSeconds: number
  baseSeconds: number
  maxSeconds: number
}

export type LoginAttempt = { allowed: true } | { allowed: false, retryAfterMs: number }

export interface LoginThrottle {
  /**
   * Before the password is checked: refuse while the account is locked (counting nothing), otherwise count this attempt
   * atomically and, from the threshold on, lock the account for the attempts after it.
   */
  begin (subject: string): Promise<LoginAttempt>
  /** The attempt never reached the password check (hasher saturated): take the count back. */
  refund (subject: string): Promise<void>
}

export function createLoginThrottle (deps: {
  redis: RedisClient, keys: KeyNames, policy: LoginLockoutPolicy
  /** Tests only: replaces Redis's clock, on which every instance counts attempts and locks. */
  storeClock?: (() => number) | undefined
}): LoginThrottle {
  const { redis, keys, policy, storeClock } = deps
  defineScripts(redis)
  const off = policy.afterFailures === 0

  return {
    async begin (subject) {
      if (off) return { allowed: true }
      const [allowed, retryAfterMs] = await runScript(redis, 'begin-login-attempt', [keys.loginFailures(subject)], [
        nowOverride(storeClock), policy.afterFailures, policy.failureWindowSeconds * 1000, policy.baseSeconds * 1000, policy.maxSeconds * 1000
      ])
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Number(retryAfterMs) }
    },
    async refund (subject) {
      if (!off) await runScript(redis, 'refund-login-attempt', [keys.loginFailures(subject)], [])
    }
  }
}
