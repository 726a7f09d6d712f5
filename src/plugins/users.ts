// The user store and the password hasher (argon2id, OWASP parameters).
import fp from 'fastify-plugin'
import { createKeyNames } from '../key-names.js'
import { createPasswordHasher, type PasswordHasher } from '../users/passwords.js'
import { createUserStore, type UserStore } from '../users/user-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    users: UserStore
    passwords: PasswordHasher
  }
}

export default fp(async (app) => {
  app.decorate('users', createUserStore({ redis: app.redis, keys: createKeyNames(app.config.redis.keyPrefix), nowMs: app.clock }))
  app.decorate('passwords', await createPasswordHasher())
}, { name: 'users', dependencies: ['config', 'redis'] })
