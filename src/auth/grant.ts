// Turning a refresh-token family into a token grant, and starting a new session (login, password change).
import { NotReplicatedError } from '../redis-errors.js'
import type { Revoker } from '../revocation/revoker.js'
import type { IssuedRefresh, SessionStore } from '../sessions/session-store.js'
import type { AccessTokens } from '../tokens/access-token.js'
import type { User } from '../users/user-store.js'

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
  /** The rotation a failover lost was recognised and accepted (IssuedRefresh.recovered). */
  recovered: boolean
}

export type StartOutcome = { ok: true, grant: TokenGrant } | { ok: false, reason: 'disabled' | 'no_user' }

export interface SessionStarter {
  grant (issued: IssuedRefresh, user: Pick<User, 'roles'>): Promise<TokenGrant>
  /** A new family for this device; families evicted by the session limit are revoked everywhere. */
  start (user: Pick<User, 'id' | 'roles'>, device: { userAgent: string, ip: string }): Promise<StartOutcome>
}

export function createSessionStarter (deps: {
  sessions: SessionStore, accessTokens: AccessTokens, revoker: Revoker, idleTtlSeconds: number
}): SessionStarter {
  const { sessions, accessTokens, revoker, idleTtlSeconds } = deps

  async function grant (issued: IssuedRefresh, user: Pick<User, 'roles'>): Promise<TokenGrant> {
    const { token, expiresIn } = await accessTokens.sign({
      userId: issued.userId, roles: user.roles, sessionId: issued.familyId, sessionVersion: issued.sessionVersion
    })
    // Both on the store's clock: this instance's own clock may disagree with it.
    const absoluteExpiresIn = Math.max(0, Math.floor((issued.absoluteExpiryMs - issued.issuedAtMs) / 1000))
    return {
      accessToken: token,
      expiresIn,
      refreshToken: issued.token,
      refreshExpiresIn: Math.min(idleTtlSeconds, absoluteExpiresIn),
      absoluteExpiresIn,
      sessionId: issued.familyId,
      userId: issued.userId,
      replayed: issued.replayed,
      recovered: issued.recovered
    }
  }

  return {
    grant,
    async start (user, { userAgent, ip }) {
      const created = await sessions.createFamily({ userId: user.id, userAgent, ip }).catch(async (err: unknown) => {
        // Answered 503 but applied on the primary: the families it evicted are gone there, so their access tokens
        // must die too (best effort: the store is in trouble already, and the 503 is what the client must see).
        if (err instanceof NotReplicatedError && Array.isArray(err.reply) && err.reply[0] === 'ok') {
          for (const familyId of err.reply.slice(4)) await revoker.announceFamily(user.id, String(familyId), 'evicted').catch(() => undefined)
        }
        throw err
      })
      if (!created.ok) return created
      for (const familyId of created.evicted) await revoker.announceFamily(user.id, familyId, 'evicted')
      return { ok: true, grant: await grant(created.issued, user) }
    }
  }
}
