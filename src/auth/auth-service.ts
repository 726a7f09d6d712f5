// Register, login, refresh and password change over the user store, password hasher, session store and tokens.
// No Fastify here: results are plain unions that the routes map to HTTP.
import type { Revoker } from '../revocation/revoker.js'
import type { RotateFailure, SessionStore } from '../sessions/session-store.js'
import type { PasswordHasher } from '../users/passwords.js'
import type { UserStore } from '../users/user-store.js'
import { canonicalEmail } from '../users/email.js'
import type { LoginThrottle } from '../users/login-throttle.js'
import { newPasswordProblem, type CommonPasswords } from '../users/password-policy.js'
import { SemaphoreSaturatedError } from '../users/semaphore.js'
import type { SessionStarter, TokenGrant } from './grant.js'

export type { TokenGrant } from './grant.js'

export type RefreshOutcome = { ok: true, grant: TokenGrant } | { ok: false, reason: RotateFailure, userId?: string, familyId?: string }

export type RegisterOutcome =
  | { ok: true, user: { id: string, email: string, createdAtMs: number } }
  | { ok: false, reason: 'invalid_email' | 'password_length' | 'weak_password' | 'email_taken' }

export type LoginOutcome =
  | { ok: true, grant: TokenGrant }
  | { ok: false, reason: 'bad_credentials' | 'disabled' }
  | { ok: false, reason: 'throttled', retryAfterMs: number }

export type PasswordChangeOutcome =
  | { ok: true, grant: TokenGrant }
  | { ok: false, reason: 'wrong_password' | 'password_length' | 'weak_password' | 'disabled' | 'no_user' }

export interface AuthService {
  /** Canonicalises the email, checks the new-password policy before hashing, then claims the email. */
  register (input: { email: string, password: string }): Promise<RegisterOutcome>
  /**
   * Wrong email or wrong password: same answer, same argon2 cost (dummy verify). Disabled accounts cannot log in.
   * The per-account back-off is consulted first, so a locked account (known or not) costs no hash and a correct
   * password gets the same 'throttled' as a wrong one (no oracle). Hashing may throw SemaphoreSaturatedError.
   */
  login (input: { email: string, password: string, userAgent: string, ip: string }): Promise<LoginOutcome>
  refresh (refreshToken: string): Promise<RefreshOutcome>
  /**
   * Verify the current password, store the new one, bump the session version (every session and access token dies,
   * this one included) and start a fresh family for this device: identifiers regenerate on a privilege change (OWASP).
   */
  changePassword (input: { userId: string, currentPassword: string, newPassword: string, userAgent: string, ip: string }): Promise<PasswordChangeOutcome>
}

export function createAuthService (deps: {
  users: UserStore, passwords: PasswordHasher, sessions: SessionStore, revoker: Revoker, starter: SessionStarter
  loginThrottle: LoginThrottle, commonPasswords: CommonPasswords
}): AuthService {
  const { users, passwords, sessions, revoker, starter, loginThrottle, commonPasswords } = deps

  return {
    async register ({ email, password }) {
      const canonical = canonicalEmail(email)
      if (canonical === undefined) return { ok: false, reason: 'invalid_email' }
      const problem = newPasswordProblem(password, commonPasswords)
      if (problem !== undefined) return { ok: false, reason: problem }
      const user = await users.create({ email: canonical, passwordHash: await passwords.hash(password) })
      if (user === undefined) return { ok: false, reason: 'email_taken' }
      return { ok: true, user: { id: user.id, email: user.email, createdAtMs: user.createdAtMs } }
    },

    async login ({ email, password, userAgent, ip }) {
      const canonical = canonicalEmail(email)
      // Addresses that cannot exist are throttled too, under their trimmed lower-case form.
      const account = canonical ?? email.trim().toLowerCase()
      const attempt = await loginThrottle.begin(account)
      if (!attempt.allowed) return { ok: false, reason: 'throttled', retryAfterMs: attempt.retryAfterMs }
      const user = canonical === undefined ? undefined : await users.findByEmail(canonical)
      let ok: boolean
      try {
        ok = await passwords.verify(user?.passwordHash, password)
      } catch (err) {
        // Best effort: the 503 matters more than the count, which is bounded anyway.
        if (err instanceof SemaphoreSaturatedError) await loginThrottle.refund(account).catch(() => undefined)
        throw err
      }
      if (!ok || user === undefined) return { ok: false, reason: 'bad_credentials' }
      const started = await starter.start(user, { userAgent, ip })
      // A disabled account keeps its count: clearing it would tell an attacker the password was right.
      if (!started.ok) return { ok: false, reason: started.reason === 'disabled' ? 'disabled' : 'bad_credentials' }
      await loginThrottle.succeeded(account)
      return started
    },

    async refresh (refreshToken) {
      const result = await sessions.rotate(refreshToken)
      if (!result.ok) {
        // The script already revoked the family; make its access tokens die everywhere too, and answer only once a
        // replica holds the revocation (a failover must not bring the family back).
        if ((result.reason === 'reuse' || result.reason === 'rollback') && result.userId !== undefined && result.familyId !== undefined) {
          await Promise.all([revoker.announceFamily(result.userId, result.familyId, result.reason), sessions.confirmRevoked(result.userId)])
        }
        return result
      }
      // The rotation script read the user's email and roles with the family: no second round trip.
      return { ok: true, grant: await starter.grant(result.issued, result.issued.subject) }
    },

    async changePassword ({ userId, currentPassword, newPassword, userAgent, ip }) {
      const user = await users.findById(userId)
      if (!(await passwords.verify(user?.passwordHash, currentPassword)) || user === undefined) {
        return { ok: false, reason: user === undefined ? 'no_user' : 'wrong_password' }
      }
      const problem = newPasswordProblem(newPassword, commonPasswords)
      if (problem !== undefined) return { ok: false, reason: problem }
      await users.setPasswordHash(userId, await passwords.hash(newPassword))
      await revoker.allForUser(userId, 'password_changed')
      return starter.start(user, { userAgent, ip })
    }
  }
}
