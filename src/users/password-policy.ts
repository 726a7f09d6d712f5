// What a new password must satisfy, wherever one is set (registration, password change, any later reset):
// 8–1024 UTF-8 bytes of well-formed Unicode, not one of the most common passwords (NIST SP 800-63B §5.1.1.2;
// ASVS 2.1.7) and, by zxcvbn's estimate, not guessable in fewer than about 10^8 tries (ASVS 2.1.8). No composition
// rules (NIST: they do not help). The list ships as data/common-passwords.txt (origin and licence in data/README.md).
import { readFileSync } from 'node:fs'
import { passwordInputProblem } from './passwords.js'
import { createStrengthEstimator, type StrengthScore } from './password-strength.js'

/** data/ at the package root: the same path from src/users/ (tsx, tests) and dist/users/ (built). */
export const COMMON_PASSWORDS_FILE = new URL('../../data/common-passwords.txt', import.meta.url)

/**
 * 3: online guessing is already bounded by the login throttle, so the score guards against offline guessing of a
 * leaked argon2id hash; 10^8 guesses at the OWASP parameters is years of GPU time per account, while 4 (10^10) would
 * refuse many memorable passphrases of three common words. It is zxcvbn's own recommendation for "safely unguessable".
 */
export const DEFAULT_MIN_STRENGTH_SCORE: StrengthScore = 3

export interface CommonPasswords {
  /** Case-insensitive: "PassWord1" is as guessable as "password1" (attackers' lists try case variants first). */
  has (password: string): boolean
  readonly size: number
}

/** Read the list once (at boot): one password per line, blank lines ignored. Throws if the file is missing. */
export function loadCommonPasswords (file: URL | string = COMMON_PASSWORDS_FILE): CommonPasswords {
  const set = new Set<string>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line !== '') set.add(line.toLowerCase())
  }
  return { has: (password) => set.has(password.toLowerCase()), size: set.size }
}

/** Why a new password may not be set: `description` is safe to show and never quotes the password. */
export interface NewPasswordProblem { reason: 'invalid_password' | 'weak_password', description: string }

export interface PasswordPolicy {
  /**
   * Undefined when the password may be set. Checks run cheapest first: length and encoding, the list, then the
   * estimate, which also penalises the user's own details (`userInputs`: the email and its parts).
   */
  problem (password: string, userInputs: string[]): NewPasswordProblem | undefined
}

export function createPasswordPolicy (options: { common: CommonPasswords, minScore: number }): PasswordPolicy {
  const { common, minScore } = options
  const estimate = createStrengthEstimator()
  return {
    problem (password, userInputs) {
      const input = passwordInputProblem(password)
      if (input !== undefined) return { reason: 'invalid_password', description: input }
      if (common.has(password)) {
        return { reason: 'weak_password', description: 'This password is on a list of the most common passwords; choose a longer or less predictable one' }
      }
      if (minScore === 0) return undefined
      const { score, warning, suggestions } = estimate(password, userInputs)
      if (score >= minScore) return undefined
      const why = warning ?? 'It follows a pattern that is quick to guess.'
      return { reason: 'weak_password', description: `This password is too easy to guess. ${why} ${suggestions[0] ?? 'Add another word or two that are less common.'}` }
    }
  }
}

/** What zxcvbn should treat as known to an attacker: the email, its local part and the words in it. */
export function userInputsOf (email: string): string[] {
  const local = email.split('@')[0] ?? ''
  return [email, local, ...local.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3), 'rotor']
}
