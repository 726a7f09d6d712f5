// The user store, the password hasher (argon2id, OWASP parameters, bounded concurrency), the new-password policy
// (common-password list and strength estimate, both loaded once, here at boot) and the per-account login back-off.
import fp from 'fastify-plugin'
import { createKeyNames } from '../key-names.js'
import { createLoginThrottle, type LoginThrottle } from '../users/login-throttle.js'
import { createPasswordPolicy, loadCommonPasswords, type PasswordPolicy } from '../users/password-policy.js'
import { createPasswordHasher, OWASP_ARGON2ID, type PasswordHasher } from '../users/passwords.js'
import { createUserStore, type UserStore } from '../users/user-store.js'
import { createUserEmails, type UserEmails } from '../users/user-emails.js'
import { isStoreUnavailable } from './redis.js'

declare module 'fastify' {
  interface FastifyInstance {
    users: UserStore
    userEmails: UserEmails
    passwords: PasswordHasher
    passwordPolicy: PasswordPolicy
    loginThrottle: LoginThrottle
  }
}

export default fp(async (app) => {
  const { redis, passwordHashing, passwordMinStrengthScore, loginLockout } = app.config
  const keys = createKeyNames(redis.keyPrefix)
  const users = createUserStore({ redis: app.redis, keys, nowMs: app.clock })
  app.decorate('users', users)
  app.decorate('userEmails', createUserEmails({ users, maxEntries: app.config.userEmailCacheMaxEntries, isStoreUnavailable }))
  app.decorate('passwords', await createPasswordHasher(OWASP_ARGON2ID, passwordHashing))
  app.decorate('passwordPolicy', createPasswordPolicy({ common: loadCommonPasswords(), minScore: passwordMinStrengthScore }))
  app.decorate('loginThrottle', createLoginThrottle({ redis: app.redis, keys, policy: loginLockout, nowMs: app.clock }))
}, { name: 'users', dependencies: ['config', 'redis'] })
