// The user store, the password hasher (argon2id, OWASP parameters, bounded concurrency), the common-password list
// (read once, here at boot) and the per-account login back-off.
import fp from 'fastify-plugin'
import { createKeyNames } from '../key-names.js'
import { createLoginThrottle, type LoginThrottle } from '../users/login-throttle.js'
import { loadCommonPasswords, type CommonPasswords } from '../users/password-policy.js'
import { createPasswordHasher, OWASP_ARGON2ID, type PasswordHasher } from '../users/passwords.js'
import { createUserStore, type UserStore } from '../users/user-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    users: UserStore
    passwords: PasswordHasher
    commonPasswords: CommonPasswords
    loginThrottle: LoginThrottle
  }
}

export default fp(async (app) => {
  const { redis, passwordHashing, loginLockout } = app.config
  const keys = createKeyNames(redis.keyPrefix)
  app.decorate('users', createUserStore({ redis: app.redis, keys, nowMs: app.clock }))
  app.decorate('passwords', await createPasswordHasher(OWASP_ARGON2ID, passwordHashing))
  app.decorate('commonPasswords', loadCommonPasswords())
  app.decorate('loginThrottle', createLoginThrottle({ redis: app.redis, keys, policy: loginLockout, storeClock: app.storeClock }))
}, { name: 'users', dependencies: ['config', 'redis'] })
