// Password hashing: argon2id with the OWASP Password Storage Cheat Sheet's first recommended setting
// (m = 19 MiB, t = 2, p = 1; ASVS 2.4.4). Passwords are used exactly as received: no trimming, no normalisation.
// Every hash and verification passes through a bounded semaphore, so a login flood gets fast refusals
// (SemaphoreSaturatedError) instead of an unbounded queue in libuv's thread pool.
import argon2 from 'argon2'
import { createSemaphore, type Permit, type Semaphore } from './semaphore.js'

export const PASSWORD_MIN_BYTES = 8
export const PASSWORD_MAX_BYTES = 1024 // checked before hashing, so a huge password cannot buy CPU (ASVS 2.1.2)

export interface PasswordHasherOptions {
  memoryCostKiB: number
  timeCost: number
  parallelism: number
}

export const OWASP_ARGON2ID: PasswordHasherOptions = { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 }

/** For callers without a configuration (CLI, tests): one job at a time, as on a 2-core host (see config.ts). */
export const DEFAULT_HASH_LIMITS = { concurrency: 1, queueMax: 32 }

/**
 * Both operations throw SemaphoreSaturatedError, without hashing anything, when the hasher is saturated, unless given
 * a permit admitted earlier (`semaphore.admit()`, at the start of the request), which they use instead.
 */
export interface PasswordHasher {
  hash (password: string, permit?: Permit): Promise<string>
  /** Constant-cost check: with no stored hash (unknown user) it verifies against a dummy hash and returns false. */
  verify (storedHash: string | undefined, password: string, permit?: Permit): Promise<boolean>
  readonly semaphore: Semaphore
}

/** Whether a password's UTF-8 length is within the accepted range. */
export function passwordLengthOk (password: string): boolean {
  const bytes = Buffer.byteLength(password, 'utf8')
  return bytes >= PASSWORD_MIN_BYTES && bytes <= PASSWORD_MAX_BYTES
}

// A lone surrogate (sent as a JSON escape such as "\ud800") has no UTF-8 form: it would be hashed as U+FFFD, so
// different passwords would verify as one.
const LONE_SURROGATE = /\p{Cs}/u

/** Why a presented password cannot be used at all, checked before any hashing; undefined when it can. */
export function passwordInputProblem (password: string): string | undefined {
  if (!passwordLengthOk(password)) return 'password must be 8 to 1024 bytes long'
  if (LONE_SURROGATE.test(password)) return 'password must be well-formed Unicode (no unpaired surrogates)'
  return undefined
}

export async function createPasswordHasher (
  options: PasswordHasherOptions = OWASP_ARGON2ID,
  limits: { concurrency: number, queueMax: number } = DEFAULT_HASH_LIMITS
): Promise<PasswordHasher> {
  const params = { type: argon2.argon2id as 2, memoryCost: options.memoryCostKiB, timeCost: options.timeCost, parallelism: options.parallelism }
  // Unknown emails cost the same as wrong passwords, so timing does not reveal which accounts exist (ASVS 2.2.x).
  const dummyHash = await argon2.hash('rotor-dummy-password-for-unknown-users', params)
  const semaphore = createSemaphore({ ...limits, name: 'password hashing' })
  return {
    hash: (password, permit) => (permit ?? semaphore).run(() => argon2.hash(password, params)),
    verify: (storedHash, password, permit) => (permit ?? semaphore).run(async () => {
      if (storedHash === undefined) {
        await argon2.verify(dummyHash, password)
        return false
      }
      return argon2.verify(storedHash, password)
    }),
    semaphore
  }
}
