// Users in Redis: a hash per user (in the user's hash slot) and an email index.
// Accounts are durable, so these are the only keys without a TTL; session keys always have one.
import type { KeyNames } from '../key-names.js'
import type { RedisClient } from '../sessions/scripts.js'
import { randomId } from '../sessions/refresh-token.js'
import { claimEmail } from './email-claim.js'

export interface User {
  id: string
  email: string
  passwordHash: string
  createdAtMs: number
  sessionVersion: number
  /** Carried in access tokens; changing them bumps the session version. */
  roles: string[]
  disabled: boolean
}

export interface UserStore {
  /** Claims the email (src/users/email-claim.ts) then writes the user. Returns undefined when the email is taken. */
  create (input: { email: string, passwordHash: string }): Promise<User | undefined>
  findByEmail (canonicalEmail: string): Promise<User | undefined>
  /** The email index alone: the user id an email belongs to, or undefined. */
  findIdByEmail (canonicalEmail: string): Promise<string | undefined>
  findById (userId: string): Promise<User | undefined>
  /** The email alone (one HGET, no password hash read), or undefined for an unknown user. */
  findEmail (userId: string): Promise<string | undefined>
  /** The following return false when the user does not exist. Callers bump the session version afterwards. */
  setPasswordHash (userId: string, passwordHash: string): Promise<boolean>
  setRoles (userId: string, roles: string[]): Promise<boolean>
  setDisabled (userId: string, disabled: boolean): Promise<boolean>
}

/**
 * `newUserId`: how a new user's id is drawn (default: random; src/users/home-slots.ts for a home region).
 * `replicate`: waits, best effort, until every replica holds a key just written (src/redis-durability.ts,
 * spreadToReplicas). A registration is answered once its user record and its email entry are both there: a failover
 * then loses neither, and with `readsLocally` (REDIS_LOCAL_NODES: the email lookup may be answered by a replica of
 * this region) a lookup never needs to ask the master.
 */
export function createUserStore (deps: {
  redis: RedisClient, keys: KeyNames, nowMs: () => number, newUserId?: () => string
  replicate?: (key: string) => Promise<unknown>, readsLocally?: boolean
}): UserStore {
  const { redis, keys, nowMs, newUserId = randomId, replicate = async () => undefined, readsLocally = false } = deps

  async function findUserId (key: string): Promise<string | null> {
    if (!readsLocally) return redis.get(key)
    // A miss is an answer: asking the master only then would make an unknown email cost one (maybe inter-region)
    // round trip more than a known one. A replica that does not answer is another matter: MGET is the same read on
    // the master, which the local-read route (src/redis-local-reads.ts) leaves there.
    try {
      return await redis.get(key)
    } catch {
      const [id] = await redis.mget(key)
      return id ?? null
    }
  }

  async function findById (userId: string): Promise<User | undefined> {
    const [email, passwordHash, created, sv, roles, dis] = await redis.hmget(keys.user(userId), 'email', 'ph', 'c', 'sv', 'roles', 'dis')
    if (email == null || passwordHash == null) return undefined
    return {
      id: userId,
      email,
      passwordHash,
      createdAtMs: Number(created),
      sessionVersion: Number(sv ?? 0),
      roles: roles == null || roles === '' ? [] : roles.split(','),
      disabled: dis === '1'
    }
  }

  /** Set fields of an existing user only: HSET on a missing key would create a half user (users are never deleted). */
  async function update (userId: string, fields: Record<string, string>): Promise<boolean> {
    const key = keys.user(userId)
    if (await redis.exists(key) !== 1) return false
    await redis.hset(key, fields)
    return true
  }

  return {
    async create ({ email, passwordHash }) {
      const id = newUserId()
      const createdAtMs = nowMs()
      if (!await claimEmail(redis, keys, email, id)) return undefined
      try {
        await redis.hset(keys.user(id), { email, ph: passwordHash, c: createdAtMs, sv: 0 })
        // The user first: an entry made durable must never outlive its user on a failover (email-claim.ts).
        await replicate(keys.user(id))
        await redis.persist(keys.email(email))
        await replicate(keys.email(email))
      } catch (err) {
        await redis.del(keys.email(email)).catch(() => undefined)
        throw err
      }
      return { id, email, passwordHash, createdAtMs, sessionVersion: 0, roles: [], disabled: false }
    },
    async findByEmail (canonicalEmail) {
      const id = await findUserId(keys.email(canonicalEmail))
      // An index entry whose user is missing (a crash between the two writes) reads as unknown.
      return id === null ? undefined : findById(id)
    },
    findById,
    findIdByEmail: async (canonicalEmail) => (await findUserId(keys.email(canonicalEmail))) ?? undefined,
    findEmail: async (userId) => (await redis.hget(keys.user(userId), 'email')) ?? undefined,
    setPasswordHash: (userId, passwordHash) => update(userId, { ph: passwordHash }),
    setRoles: (userId, roles) => update(userId, { roles: roles.join(',') }),
    setDisabled: (userId, disabled) => update(userId, { dis: disabled ? '1' : '0' })
  }
}
