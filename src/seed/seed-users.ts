// Seeding for load tests: N users, each with one live session (refresh-token family) and a fresh access token,
// written straight to Redis through the same stores the service uses. No Fastify here.
//
// Speed comes from two things. The password is hashed once with the real argon2id hasher and that hash is stored for
// every seeded user (argon2 costs tens of milliseconds by design; 100,000 hashes would take over an hour). Logins
// still verify against a real argon2id hash, so a seeded user logs in with the shared password like anyone else.
// And users are created by a pool of concurrent workers: with a client that auto-pipelines, each step of hundreds of
// users travels to Redis in one round trip.
import { randomBytes } from 'node:crypto'
import type { Config } from '../config.js'
import { createKeyNames } from '../key-names.js'
import { createRefreshTokenCodec } from '../sessions/refresh-token.js'
import type { RedisClient } from '../sessions/scripts.js'
import { createSessionStore } from '../sessions/session-store.js'
import { createAccessTokens } from '../tokens/access-token.js'
import type { KeySet } from '../tokens/key-set.js'
import { canonicalEmail } from '../users/email.js'
import { createPasswordHasher, passwordLengthOk } from '../users/passwords.js'
import { createUserStore } from '../users/user-store.js'

export const SEED_MAX_USERS = 1_000_000
export const SEED_USER_AGENT = 'rotor seed'

export interface SeedContext {
  /** Best with enableAutoPipelining: concurrent workers' commands then share round trips. */
  redis: RedisClient
  /** The service's configuration: key prefix, session policy and access-token settings must match the server's. */
  config: Config
  keySet: KeySet
  refreshSecret: string
  nowMs?: () => number
}

export interface SeedOptions {
  count: number
  /** Shared by every seeded user; 8 to 1024 UTF-8 bytes like any password. */
  password: string
  /** Emails are seed-<n>@<emailDomain>, n from 1; default a fresh run-specific domain under the reserved .example TLD. */
  emailDomain?: string
  /** Users in flight at once. */
  concurrency?: number
  /** Called after every `progressEvery` users with the number done so far. */
  onProgress?: (done: number) => void
  progressEvery?: number
}

export interface SeededUser {
  email: string
  userId: string
  sessionId: string
  accessToken: string
  refreshToken: string
}

export interface SeedResult {
  users: SeededUser[]
  emailDomain: string
  /** The earliest access-token expiry of the run (each lifetime carries its own 0-5 % jitter). */
  accessTokensExpireAtMs: number
}

/** A domain no other run uses, so repeated seeds into one Redis never collide (RFC 2606 reserves .example). */
export function runEmailDomain (): string {
  return `run-${randomBytes(4).toString('hex')}.seed.example`
}

/**
 * Create `count` users with one session and one access token each. Not atomic as a whole: a failure rejects and
 * leaves the users made so far in place (they are ordinary accounts; use a fresh key prefix or domain to start over).
 * Throws if an email of the run is already taken, so a run never hands out credentials it did not create.
 */
export async function seedUsers (ctx: SeedContext, options: SeedOptions): Promise<SeedResult> {
  const { redis, config, keySet, refreshSecret } = ctx
  const nowMs = ctx.nowMs ?? Date.now
  const { count, password } = options
  if (!Number.isSafeInteger(count) || count < 1 || count > SEED_MAX_USERS) throw new RangeError(`count must be an integer from 1 to ${SEED_MAX_USERS}`)
  if (!passwordLengthOk(password)) throw new RangeError('password must be 8 to 1024 UTF-8 bytes')
  const emailDomain = options.emailDomain ?? runEmailDomain()
  if (canonicalEmail(`seed-1@${emailDomain}`) !== `seed-1@${emailDomain}`) throw new RangeError(`not a usable lower-case email domain: ${emailDomain}`)

  const keys = createKeyNames(config.redis.keyPrefix)
  const userStore = createUserStore({ redis, keys, nowMs })
  const sessions = createSessionStore({ redis, keys, codec: createRefreshTokenCodec(refreshSecret), policy: config.refresh, storeClock: ctx.nowMs })
  const { jwt } = config
  const accessTokens = createAccessTokens({
    keySet, issuer: jwt.issuer, audience: jwt.audience, clientId: jwt.clientId,
    ttlSeconds: jwt.accessTokenTtlSeconds, clockToleranceSeconds: jwt.clockToleranceSeconds, nowMs
  })
  const passwordHash = await (await createPasswordHasher()).hash(password)

  const users = new Array<SeededUser>(count)
  let accessTokensExpireAtMs = Infinity
  let next = 0
  let done = 0
  const progressEvery = options.progressEvery ?? 10_000

  async function seedOne (n: number): Promise<SeededUser> {
    const email = `seed-${n}@${emailDomain}`
    const user = await userStore.create({ email, passwordHash })
    if (user === undefined) throw new Error(`${email} already exists: seed with a fresh domain or key prefix`)
    const created = await sessions.createFamily({ userId: user.id, userAgent: SEED_USER_AGENT, ip: '127.0.0.1' })
    if (!created.ok) throw new Error(`cannot start a session for ${email}: ${created.reason}`)
    const { issued } = created
    const { token, expiresIn } = await accessTokens.sign({
      userId: user.id, roles: user.roles, sessionId: issued.familyId, sessionVersion: issued.sessionVersion
    })
    accessTokensExpireAtMs = Math.min(accessTokensExpireAtMs, nowMs() + expiresIn * 1000)
    return { email, userId: user.id, sessionId: issued.familyId, accessToken: token, refreshToken: issued.token }
  }

  // Each worker takes the next number until none are left; results land at their own index, so order is stable.
  async function worker (): Promise<void> {
    while (next < count) {
      const i = next++
      try {
        users[i] = await seedOne(i + 1)
      } catch (err) {
        next = count // stop the other workers too: the run has failed
        throw err
      }
      done++
      if (options.onProgress !== undefined && (done % progressEvery === 0 || done === count)) options.onProgress(done)
    }
  }
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 256, count))
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { users, emailDomain, accessTokensExpireAtMs }
}
