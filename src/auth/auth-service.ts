// Register, login, refresh and password change over the user store, password hasher, session store and tokens.
// No Fastify here: results are plain unions that the routes map to HTTP.
import { createHmac } from 'node:crypto'
import type { Revoker } from '../revocation/revoker.js'
import type { RotateFailure, SessionStore } from '../sessions/session-store.js'
import type { PasswordHasher } from '../users/passwords.js'
import type { UserStore } from '../users/user-store.js'
import { canonicalEmail } from '../users/email.js'
import type { LoginThrottle } from '../users/login-throttle.js'
import { userInputsOf, type NewPasswordProblem, type PasswordPolicy } from '../users/password-policy.js'
import { SemaphoreSaturatedError, type Permit } from '../users/semaphore.js'
import type { SessionStarter, TokenGrant } from './grant.js'

export type { TokenGrant } from './grant.js'

/**
 * `unconfirmed`: a reuse or rollback revocation that no replica acknowledged (the store error to answer, 503), so the
 * caller still records the security event before answering it.
 */
export type RefreshOutcome = { ok: true, grant: TokenGrant } | { ok: false, reason: RotateFailure, userId?: string, familyId?: string, unconfirmed?: Error }

export type RegisterOutcome =
  | { ok: true, user: { id: string, email: string, createdAtMs: number } }
  | { ok: false, reason: 'invalid_email' } | { ok: false, reason: 'email_taken' }
  | { ok: false, reason: NewPasswordProblem['reason'], description: string }

/** account: a stable reference for logs (keyed hash of the canonical email); userId when the account was read. */
export type LoginOutcome =
  | { ok: true, grant: TokenGrant }
  | { ok: false, reason: 'invalid_email' }
  | { ok: false, reason: 'bad_credentials' | 'disabled', account: string, userId?: string }
  | { ok: false, reason: 'throttled', retryAfterMs: number, account: string }

export type PasswordChangeOutcome =
  | { ok: true, grant: TokenGrant }
  | { ok: false, reason: 'wrong_password' | 'disabled' | 'no_user' }
  | { ok: false, reason: NewPasswordProblem['reason'], description: string }

/** `permit`: argon2 admission the caller took at the start of the request (see users/semaphore.ts). */
export interface AuthService {
  /** Canonicalises the email, checks the new-password policy before hashing, then claims the email. */
  register (input: { email: string, password: string, permit?: Permit }): Promise<RegisterOutcome>
  /**
   * Wrong email or wrong password: same answer, same argon2 cost (dummy verify). Disabled accounts cannot log in.
   * The per-account back-off is consulted first, so a locked account (known or not) costs no hash and a correct
   * password gets the same 'throttled' as a wrong one (no oracle). Hashing may throw SemaphoreSaturatedError.
   */
  login (input: { email: string, password: string, userAgent: string, ip: string, permit?: Permit }): Promise<LoginOutcome>
  refresh (refreshToken: string): Promise<RefreshOutcome>
  /**
   * Verify the current password, store the new one, bump the session version (every session and access token dies,
   * this one included) and start a fresh family for this device: identifiers regenerate on a privilege change (OWASP).
   */
  changePassword (input: { userId: string, currentPassword: string, newPassword: string, userAgent: string, ip: string, permit?: Permit }): Promise<PasswordChangeOutcome>
}

/**
 * A stable, non-reversible reference to an account for logs: HMAC-SHA256 of the canonical email under a key derived
 * from a server secret, 128 bits in base64url. The same email always gives the same reference, known or not, so
 * failures and locks of one account can be correlated without the log holding the address (ASVS 7.1.1); without the
 * secret a list of candidate emails cannot be hashed to find it.
 */
export function accountReference (secret: string): (canonicalEmail: string) => string {
  return keyedDigest(secret, 'rotor account reference v1')
}

/**
 * The id of a user that does not exist, one per email, which nobody without the secret can compute. A login for an
 * unknown email reads that user's record, as a known email reads its user's: the same round trips, to a node in a
 * region as random as a real user's home, so the time a login takes does not tell whether an account exists, even
 * across regions (docs/regions.md#local-reads). 22 base64url characters, like a real id.
 */
export function decoyUserId (secret: string): (canonicalEmail: string) => string {
  return keyedDigest(secret, 'rotor decoy user v1')
}

function keyedDigest (secret: string, label: string): (value: string) => string {
  const key = createHmac('sha256', secret).update(label).digest()
  return (value) => createHmac('sha256', key).update(value).digest('base64url').slice(0, 22)
}

export function createAuthService (deps: {
  users: UserStore, passwords: PasswordHasher, sessions: SessionStore, revoker: Revoker, starter: SessionStarter
  loginThrottle: LoginThrottle, passwordPolicy: PasswordPolicy
  /** Server secret keying account references in logs (accountReference) and decoy user ids (decoyUserId). */
  accountReferenceKey: string
}): AuthService {
  const { users, passwords, sessions, revoker, starter, loginThrottle, passwordPolicy } = deps
  const reference = accountReference(deps.accountReferenceKey)
  const decoy = decoyUserId(deps.accountReferenceKey)

  return {
    async register ({ email, password, permit }) {
      const canonical = canonicalEmail(email)
      if (canonical === undefined) return { ok: false, reason: 'invalid_email' }
      const problem = passwordPolicy.problem(password, userInputsOf(canonical))
      if (problem !== undefined) return { ok: false, ...problem }
      const user = await users.create({ email: canonical, passwordHash: await passwords.hash(password, permit) })
      if (user === undefined) return { ok: false, reason: 'email_taken' }
      return { ok: true, user: { id: user.id, email: user.email, createdAtMs: user.createdAtMs } }
    },

    async login ({ email, password, userAgent, ip, permit }) {
      const account = canonicalEmail(email)
      // No account can have this address (the same rule as registration): said plainly, before any work.
      if (account === undefined) return { ok: false, reason: 'invalid_email' }
      const userId = await users.findIdByEmail(account)
      // An unknown email reads its decoy user's record (only the read's cost matters, decoyUserId) and is counted
      // under that id: one count per account, known or not, in the slot of its user (the home region). Record and
      // count go to that slot's master at once: one round trip, the same for both.
      const subject = userId ?? decoy(account)
      const [attempt, found] = await Promise.all([loginThrottle.begin(subject), users.findById(subject)])
      if (!attempt.allowed) return { ok: false, reason: 'throttled', retryAfterMs: attempt.retryAfterMs, account: reference(account) }
      // An index entry whose user is missing (a crash between registration's two writes) reads as unknown.
      const user = userId === undefined ? undefined : found
      let ok: boolean
      try {
        ok = await passwords.verify(user?.passwordHash, password, permit)
      } catch (err) {
        // Best effort: the 503 matters more than the count, which is bounded anyway.
        if (err instanceof SemaphoreSaturatedError) await loginThrottle.refund(subject).catch(() => undefined)
        throw err
      }
      if (!ok || user === undefined) return { ok: false, reason: 'bad_credentials', account: reference(account), userId: user?.id }
      const started = await starter.start(user, { userAgent, ip })
      // A disabled account keeps its count: clearing it would tell an attacker the password was right. A started
      // session has cleared it (create-family.lua).
      if (!started.ok) return { ok: false, reason: started.reason === 'disabled' ? 'disabled' : 'bad_credentials', account: reference(account), userId: user.id }
      return started
    },

    async refresh (refreshToken) {
      const result = await sessions.rotate(refreshToken)
      if (!result.ok) {
        // The script already revoked the family; make its access tokens die everywhere too, and answer only once a
        // replica holds the revocation (a failover must not bring the family back).
        if ((result.reason === 'reuse' || result.reason === 'rollback') && result.userId !== undefined && result.familyId !== undefined) {
          const settled = await Promise.allSettled([revoker.announceFamily(result.userId, result.familyId, result.reason), sessions.confirmRevoked(result.userId)])
          const failed = settled.find((outcome) => outcome.status === 'rejected')
          if (failed !== undefined) return { ...result, unconfirmed: failed.reason as Error }
        }
        return result
      }
      // The rotation script read the user's roles with the family: no second round trip.
      return { ok: true, grant: await starter.grant(result.issued, result.issued.subject) }
    },

    async changePassword ({ userId, currentPassword, newPassword, userAgent, ip, permit }) {
      const user = await users.findById(userId)
      if (!(await passwords.verify(user?.passwordHash, currentPassword, permit)) || user === undefined) {
        return { ok: false, reason: user === undefined ? 'no_user' : 'wrong_password' }
      }
      const problem = passwordPolicy.problem(newPassword, userInputsOf(user.email))
      if (problem !== undefined) return { ok: false, ...problem }
      await users.setPasswordHash(userId, await passwords.hash(newPassword, permit))
      await revoker.allForUser(userId, 'password_changed')
      return starter.start(user, { userAgent, ip })
    }
  }
}
