// The user store, the password hasher (argon2id, OWASP parameters, bounded concurrency), the new-password policy
// (common-password list and strength estimate, both loaded once, here at boot) and the per-account login back-off.
// Routes that hash (login, registration, password change) take their argon2 admission first of all, with `onRequest: app.admitPasswordWork`: when the queue is full
// the request is answered 503 before its body is read and before any Redis round trip (rate limit, lock-out), and
// one admitted keeps its place until its response is done, however long those take.
import fp from 'fastify-plugin'
import type { onRequestHookHandler } from 'fastify'
import type { Permit } from '../users/semaphore.js'
import { createKeyNames } from '../key-names.js'
import { createLoginThrottle, type LoginThrottle } from '../users/login-throttle.js'
import { createPasswordPolicy, loadCommonPasswords, type PasswordPolicy } from '../users/password-policy.js'
import { createPasswordHasher, OWASP_ARGON2ID, type PasswordHasher } from '../users/passwords.js'
import { homeUserIds } from '../users/home-slots.js'
import { createUserStore, type UserStore } from '../users/user-store.js'
import { createUserEmails, type UserEmails } from '../users/user-emails.js'
import { isStoreError } from '../redis-errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    users: UserStore
    userEmails: UserEmails
    passwords: PasswordHasher
    passwordPolicy: PasswordPolicy
    loginThrottle: LoginThrottle
    /** onRequest hook: admit this request to the argon2 queue, or throw SemaphoreSaturatedError (503 at once). */
    admitPasswordWork: onRequestHookHandler
  }
  interface FastifyRequest {
    /** Set by admitPasswordWork; hand it to the password hasher. Released when the response ends or the client goes. */
    passwordPermit?: Permit
  }
}

export default fp(async (app) => {
  const { redis, passwordHashing, passwordMinStrengthScore, loginLockout } = app.config
  const keys = createKeyNames(redis.keyPrefix)
  const readsLocally = redis.topology.kind === 'cluster' && redis.topology.localNodes !== undefined
  const users = createUserStore({
    redis: app.redis,
    keys,
    nowMs: app.clock,
    newUserId: homeUserIds(keys, redis.homeSlots),
    replicate: (key) => app.redisDurability.spreadToReplicas(key),
    readsLocally
  })
  app.decorate('users', users)
  app.decorate('userEmails', createUserEmails({ users, maxEntries: app.config.userEmailCacheMaxEntries, isStoreUnavailable: isStoreError }))
  app.decorate('passwords', await createPasswordHasher(OWASP_ARGON2ID, passwordHashing))
  app.decorate('passwordPolicy', createPasswordPolicy({ common: loadCommonPasswords(), minScore: passwordMinStrengthScore }))
  app.decorate('loginThrottle', createLoginThrottle({ redis: app.redis, keys, policy: loginLockout, storeClock: app.storeClock }))
  app.decorateRequest('passwordPermit', undefined)
  app.decorate('admitPasswordWork', async function admitPasswordWork (request, reply) {
    const permit = app.passwords.semaphore.admit() // throws when full: the error handler answers 503
    request.passwordPermit = permit
    // 'close' comes after the response is sent and also when the client disconnects first: no path leaks a place.
    reply.raw.once('close', () => permit.release())
  } satisfies onRequestHookHandler)
}, { name: 'users', dependencies: ['config', 'redis'] })
