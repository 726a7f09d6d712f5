// The refresh-token family store, the revoker that also broadcasts revocations, and the login/refresh flows.
import fp from 'fastify-plugin'
import { createAuthService, type AuthService } from '../auth/auth-service.js'
import { createSessionStarter } from '../auth/grant.js'
import { createKeyNames } from '../key-names.js'
import { createRefreshTokenCodec } from '../sessions/refresh-token.js'
import { createSessionStore, type SessionStore } from '../sessions/session-store.js'
import { createRevoker, type Revoker } from '../revocation/revoker.js'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore
    revoker: Revoker
    authService: AuthService
  }
}

export default fp<{ refreshSecret: string }>(async (app, { refreshSecret }) => {
  const { refresh, redis } = app.config
  const sessions = createSessionStore({
    redis: app.redis,
    keys: createKeyNames(redis.keyPrefix),
    codec: createRefreshTokenCodec(refreshSecret),
    policy: refresh,
    storeClock: app.storeClock,
    durability: app.redisDurability
  })
  const revoker = createRevoker({ sessions, feed: app.revocations.feed, nowMs: app.clock })
  app.decorate('sessions', sessions)
  app.decorate('revoker', revoker)
  const starter = createSessionStarter({ sessions, accessTokens: app.accessTokens, revoker, idleTtlSeconds: refresh.idleTtlSeconds })
  app.decorate('authService', createAuthService({
    users: app.users, passwords: app.passwords, sessions, revoker, starter, loginThrottle: app.loginThrottle, passwordPolicy: app.passwordPolicy,
    accountReferenceKey: refreshSecret
  }))
}, { name: 'sessions', dependencies: ['config', 'redis', 'users', 'access-tokens', 'revocations'] })
