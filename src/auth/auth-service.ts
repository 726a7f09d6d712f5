// Register, login, refresh and password change over the user store, password hasher, session store and tokens.
// No Fastify here: results are plain unions that the routes map to HTTP.
import type { Revoker } from '../revocation/revoker.js'
import type { RotateFailure, SessionStore } from '../sessions/session-store.js'
import { passwordLengthOk, type PasswordHasher } from '../users/passwords.js'
import type { UserStore } from '../users/user-store.js'
import { canonicalEmail } from '../users/email.js'
import type { SessionStarter, TokenGrant } from './grant.js'

export type { TokenGrant } from './grant.js'

export type RefreshOutcome = { ok: true, grant: TokenGrant } | { ok: false, reason: RotateFailure, userId?: string, familyId?: string }

export type RegisterOutcome =
  | { ok: true, user: { id: string, email: string, createdAtMs: number } }
  | { ok: false, reason: 'invalid_email' | 'password_length' | 'email_taken' }

export type LoginOutcome = { ok: true, grant: TokenGrant } | { ok: false, reason: 'bad_credentials' | 'disabled' }

export type PasswordChangeOutcome =
  | { ok: true, grant: TokenGrant }
  | { ok: false, reason: 'wrong_password' | 'password_length' | 'disabled' | 'no_user' }

export interface AuthService {
  /** Canonicalises the email, checks the password's byte length before hashing, then claims the email. */
  register (input: { email: string, password: string }): Promise<RegisterOutcome>
  /** Wrong email or wrong password: same answer, same argon2 cost (dummy verify). Disabled accounts cannot log in. */
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
}): AuthService {
  const { users, passwords, sessions, revoker, starter } = deps

  return {
    async register ({ email, password }) {
      const canonical = canonicalEmail(email)
      if (canonical === undefined) return { ok: false, reason: 'invalid_email' }
      if (!passwordLengthOk(password)) return { ok: false, reason: 'password_length' }
      const user = await users.create({ email: canonical, passwordHash: await passwords.hash(password) })
      if (user === undefined) return { ok: false, reason: 'email_taken' }
      return { ok: true, user: { id: user.id, email: user.email, createdAtMs: user.createdAtMs } }
    },

    async login ({ email, password, userAgent, ip }) {
      const canonical = canonicalEmail(email)
      const user = canonical === undefined ? undefined : await users.findByEmail(canonical)
      const ok = await passwords.verify(user?.passwordHash, password)
      if (!ok || user === undefined) return { ok: false, reason: 'bad_credentials' }
      const started = await starter.start(user, { userAgent, ip })
      return started.ok ? started : { ok: false, reason: started.reason === 'disabled' ? 'disabled' : 'bad_credentials' }
    },

    async refresh (refreshToken) {
      const result = await sessions.rotate(refreshToken)
      if (!result.ok) {
        // The script already revoked the family; make its access tokens die everywhere too.
        if ((result.reason === 'reuse' || result.reason === 'rollback') && result.userId !== undefined && result.familyId !== undefined) {
          await revoker.announceFamily(result.userId, result.familyId, result.reason)
        }
        return result
      }
      const user = await users.findById(result.issued.userId)
      if (user === undefined) return { ok: false, reason: 'version', userId: result.issued.userId, familyId: result.issued.familyId }
      return { ok: true, grant: await starter.grant(result.issued, user) }
    },

    async changePassword ({ userId, currentPassword, newPassword, userAgent, ip }) {
      const user = await users.findById(userId)
      if (!(await passwords.verify(user?.passwordHash, currentPassword)) || user === undefined) {
        return { ok: false, reason: user === undefined ? 'no_user' : 'wrong_password' }
      }
      if (!passwordLengthOk(newPassword)) return { ok: false, reason: 'password_length' }
      await users.setPasswordHash(userId, await passwords.hash(newPassword))
      await revoker.allForUser(userId, 'password_changed')
      return starter.start(user, { userAgent, ip })
    }
  }
}
