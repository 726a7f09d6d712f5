// The Redis client (built by createRedisClient for the configured topology: explicit timeouts and no offline queue,
// so a Redis outage turns into a fast 503 rather than requests piling up). The plugin that opens the connection closes it.
import fp from 'fastify-plugin'
import type { Cluster, Redis } from 'ioredis'
import { BOOT_READY_WAIT_MS, closeRedisClient, connectOrFail, createRedisClient } from '../redis-client.js'
import { createDurabilityPolicy, type DurabilityPolicy } from '../redis-durability.js'
import type { RedisClient } from '../sessions/scripts.js'

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient
    /** Which writes wait for replicas, and for how many (src/redis-durability.ts). */
    redisDurability: DurabilityPolicy
  }
}

// A degraded durable write is logged at most this often (each one is counted in the metrics).
const DEGRADED_LOG_INTERVAL_MS = 60_000

export { isStoreUnavailable } from '../redis-errors.js'

export default fp(async (app) => {
  const redis = createRedisClient(app.config.redis, 'commands', {
    onRedrive: (why) => { app.log.warn({ why }, 'redis client re-driven: ioredis had given up on the connection') }
  })
  let lastState = ''
  redis.on('error', (err) => {
    // ioredis reconnects by itself; log each state change once rather than every retry.
    if (lastState !== err.message) app.log.warn({ err: { message: err.message } }, 'redis connection error')
    lastState = err.message
  })
  redis.on('ready', () => {
    if (lastState !== '') app.log.info('redis connection restored')
    lastState = ''
  })
  app.decorate<RedisClient>('redis', redis)
  const durability = createDurabilityPolicy(redis, app.config.redis)
  let degradedLoggedAtMs = -Infinity
  durability.onDegraded(({ purpose, wanted, available }) => {
    if (Date.now() - degradedLoggedAtMs < DEGRADED_LOG_INTERVAL_MS) return
    degradedLoggedAtMs = Date.now()
    app.log.warn({ purpose, wanted, available }, 'durable mode degraded: the node holding a session write has fewer replicas than REDIS_WAIT_REPLICAS; waiting for those it has')
  })
  app.decorate('redisDurability', durability)
  app.addHook('onClose', () => closeRedisClient(redis))

  try {
    await connectOrFail(redis, BOOT_READY_WAIT_MS)
  } catch (err) {
    // Local verification keeps working without Redis; token routes answer 503 until it is back.
    app.log.error({ err: { message: (err as Error).message } }, 'redis unreachable at boot; token routes answer 503 until it is back')
    lastState = (err as Error).message // so that the first ready is logged as the connection restored
    redis.once('ready', () => { void warnUnlessNoEviction(redis, app.log) })
    return
  }
  await warnUnlessNoEviction(redis, app.log)
}, { name: 'redis', dependencies: ['config'] })

/**
 * Checked on every master of a Cluster, all at once (a boot waits one command timeout at most): any one evicting
 * loses the sessions in its slots.
 */
async function warnUnlessNoEviction (redis: RedisClient, log: { warn: (o: object, m: string) => void }): Promise<void> {
  const nodes: Redis[] = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis]
  await Promise.all(nodes.map(async (node) => {
    const where = redis.isCluster ? { node: `${node.options.host}:${node.options.port}` } : {}
    try {
      const [, policy] = (await node.config('GET', 'maxmemory-policy')) as [string, string]
      if (policy !== 'noeviction') {
        log.warn({ policy, ...where }, 'redis maxmemory-policy is not noeviction: under memory pressure Redis may evict live sessions or revocations')
      }
    } catch {
      // CONFIG may be disabled on managed Redis; then we cannot tell.
      log.warn(where, 'cannot read redis maxmemory-policy (CONFIG disabled?); make sure it is noeviction')
    }
  }))
}
