// A Redis adapter for node-oidc-provider (its adapter interface: upsert, find, findByUid, findByUserCode, consume,
// destroy, revokeByGrantId), written for scenario 10's peer the way such adapters are usually written: one key per
// stored model instance, a hash for the instances that can be consumed (so consuming is one HSET, not a rewrite), and a
// list per grant naming its tokens, so revoking a grant deletes them all.
import type { Redis } from 'ioredis'

type Payload = Record<string, unknown> & { grantId?: string, uid?: string, userCode?: string }

const CONSUMABLE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'])
const GRANTABLE = new Set([...CONSUMABLE, 'AccessToken'])

export function redisAdapter (redis: Redis, prefix: string) {
  const grantKey = (id: string) => `${prefix}grant:${id}`
  return class RedisAdapter {
    readonly model: string
    constructor (model: string) { this.model = model }
    key (id: string): string { return `${prefix}${this.model}:${id}` }

    async upsert (id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const key = this.key(id)
      const multi = redis.multi()
      if (CONSUMABLE.has(this.model)) multi.del(key).hset(key, 'payload', JSON.stringify(payload))
      else multi.set(key, JSON.stringify(payload))
      if (expiresIn !== undefined) multi.expire(key, expiresIn)
      if (GRANTABLE.has(this.model) && payload.grantId !== undefined) {
        multi.rpush(grantKey(payload.grantId), key)
        if (expiresIn !== undefined) multi.expire(grantKey(payload.grantId), expiresIn)
      }
      if (payload.uid !== undefined) multi.set(`${prefix}uid:${payload.uid}`, id, 'EX', expiresIn ?? 86_400)
      if (payload.userCode !== undefined) multi.set(`${prefix}userCode:${payload.userCode}`, id, 'EX', expiresIn ?? 86_400)
      await multi.exec()
    }

    async find (id: string): Promise<Payload | undefined> {
      if (!CONSUMABLE.has(this.model)) {
        const json = await redis.get(this.key(id))
        return json === null ? undefined : JSON.parse(json) as Payload
      }
      const { payload, consumed } = await redis.hgetall(this.key(id))
      if (payload === undefined) return undefined
      return { ...JSON.parse(payload) as Payload, ...(consumed === undefined ? {} : { consumed: Number(consumed) }) }
    }

    async findByUid (uid: string): Promise<Payload | undefined> {
      const id = await redis.get(`${prefix}uid:${uid}`)
      return id === null ? undefined : this.find(id)
    }

    async findByUserCode (userCode: string): Promise<Payload | undefined> {
      const id = await redis.get(`${prefix}userCode:${userCode}`)
      return id === null ? undefined : this.find(id)
    }

    async consume (id: string): Promise<void> {
      await redis.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000))
    }

    async destroy (id: string): Promise<void> {
      await redis.del(this.key(id))
    }

    async revokeByGrantId (grantId: string): Promise<void> {
      const keys = await redis.lrange(grantKey(grantId), 0, -1)
      await redis.del(...keys, grantKey(grantId))
    }
  }
}
