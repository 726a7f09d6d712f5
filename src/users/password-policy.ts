// What a new password must satisfy, wherever one is set (registration, password change, any later reset):
// 8–1024 UTF-8 bytes and not one of the most common passwords (NIST SP 800-63B §5.1.1.2; ASVS 2.1.7). No composition
// rules (NIST: they do not help). The list ships as data/common-passwords.txt (origin and licence in data/README.md).
import { readFileSync } from 'node:fs'
import { passwordLengthOk } from './passwords.js'

/** data/ at the package root: the same path from src/users/ (tsx, tests) and dist/users/ (built). */
export const COMMON_PASSWORDS_FILE = new URL('../../data/common-passwords.txt', import.meta.url)

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

export type NewPasswordProblem = 'password_length' | 'weak_password'

/** Why a password may not be set, or undefined when it may. Length first: it is checked before anything else costs. */
export function newPasswordProblem (password: string, common: CommonPasswords): NewPasswordProblem | undefined {
  if (!passwordLengthOk(password)) return 'password_length'
  if (common.has(password)) return 'weak_password'
  return undefined
}
