// Per-account login back-off (ASVS 2.2.1; OWASP Authentication Cheat Sheet, "Account lockout"): after
// `afterFailures` failed attempts on one account, further attempts are refused for a lock that doubles with each
// further failure but never exceeds `maxSeconds`, and a successful login clears it. A lock always ends by itself, so an
// attacker can slow a user down but never lock them out for good; meanwhile the attacker gets about one guess per
// `maxSeconds`. Keyed by the canonical email whether or not the account exists (no enumeration). State in Redis, shared
// by every instance and counted on Redis's clock (store-clock.lua), so instances need not agree on time; tests inject
// a clock instead. No Fastify here.
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
  begin (account: string): Promise<LoginAttempt>
  /** The password was right: forget every failure and any lock. */
  succeeded (account: string): Promise<void>
  /** The attempt never reached the password check (hasher saturated): take the count back. */
  refund (account: string): Promise<void>
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
    async begin (account) {
      if (off) return { allowed: true }
      const [allowed, retryAfterMs] = await runScript(redis, 'begin-login-attempt', [keys.loginFailures(account)], [
        nowOverride(storeClock), policy.afterFailures, policy.failureWindowSeconds * 1000, policy.baseSeconds * 1000, policy.maxSeconds * 1000
      ])
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Number(retryAfterMs) }
    },
    async succeeded (account) {
      if (!off) await redis.del(keys.loginFailures(account))
    },
    async refund (account) {
      if (!off) await runScript(redis, 'refund-login-attempt', [keys.loginFailures(account)], [])
    }
  }
}
