// Login, refresh and logout flows over the user store, password hasher, session store and token signer.
// No Fastify here: results are plain unions that the routes map to HTTP.
import type { AccessTokens } from '../tokens/access-token.js'
import type { Revoker } from '../revocation/revoker.js'
import type { IssuedRefresh, RotateFailure, SessionStore } from '../sessions/session-store.js'
import { passwordLengthOk, type PasswordHasher } from '../users/passwords.js'
import type { UserStore } from '../users/user-store.js'
import { canonicalEmail } from '../users/email.js'

export interface TokenGrant {
  accessToken: string
  expiresIn: number
  refreshToken: string
  /** Seconds until the refresh token dies if unused: idle timeout capped by the absolute lifetime. */
  refreshExpiresIn: number
  /** Seconds until the absolute end of the family: the cookie's Max-Age. */
  absoluteExpiresIn: number
  sessionId: string
  userId: string
  replayed: boolean
}

export type RefreshOutcome = { ok: true, grant: TokenGrant } | { ok: false, reason: RotateFailure, userId?: string, familyId?: string }

export type RegisterOutcome =
  | { ok: true, user: { id: string, email: string, createdAtMs: number } }
  | { ok: false, reason: 'invalid_email' | 'password_length' | 'email_taken' }

export interface AuthService {
  /** Canonicalises the email, checks the password's byte length before hashing, then claims the email. */
  register (input: { email: string, password: string }): Promise<RegisterOutcome>
  /** Returns undefined for a wrong email or password: same answer, same argon2 cost (dummy verify). */
  login (input: { email: string, password: string, userAgent: string, ip: string }): Promise<TokenGrant | undefined>
  refresh (refreshToken: string): Promise<RefreshOutcome>
}

export function createAuthService (deps: {
  users: UserStore, passwords: PasswordHasher, sessions: SessionStore, accessTokens: AccessTokens, revoker: Revoker
  idleTtlSeconds: number, nowMs: () => number
}): AuthService {
  const { users, passwords, sessions, accessTokens, revoker, idleTtlSeconds, nowMs } = deps

  async function grant (issued: IssuedRefresh, email: string): Promise<TokenGrant> {
    const { token, expiresIn } = await accessTokens.sign({
      userId: issued.userId, email, sessionId: issued.familyId, sessionVersion: issued.sessionVersion
    })
    const absoluteExpiresIn = Math.max(0, Math.floor((issued.absoluteExpiryMs - nowMs()) / 1000))
    return {
      accessToken: token,
      expiresIn,
      refreshToken: issued.token,
      refreshExpiresIn: Math.min(idleTtlSeconds, absoluteExpiresIn),
      absoluteExpiresIn,
      sessionId: issued.familyId,
      userId: issued.userId,
      replayed: issued.replayed
    }
  }

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
      if (!ok || user === undefined) return undefined
      return grant(await sessions.createFamily({ userId: user.id, userAgent, ip }), user.email)
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
      return { ok: true, grant: await grant(result.issued, user.email) }
    }
  }
}
