// The refresh-token family store and the login/refresh flows built on it.
import fp from 'fastify-plugin'
import { createAuthService, type AuthService } from '../auth/auth-service.js'
import { createKeyNames } from '../key-names.js'
import { createRefreshTokenCodec } from '../sessions/refresh-token.js'
import { createSessionStore, type SessionStore } from '../sessions/session-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore
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
    nowMs: app.clock
  })
  app.decorate('sessions', sessions)
  app.decorate('authService', createAuthService({
    users: app.users,
    passwords: app.passwords,
    sessions,
    accessTokens: app.accessTokens,
    idleTtlSeconds: refresh.idleTtlSeconds,
    nowMs: app.clock
  }))
}, { name: 'sessions', dependencies: ['config', 'redis', 'users', 'access-tokens'] })
