// The Redis client (built by createRedisClient for the configured topology: explicit timeouts and no offline queue,
// so a Redis outage turns into a fast 503 rather than requests piling up). The plugin that opens the connection closes it.
import fp from 'fastify-plugin'
import type { Cluster, Redis } from 'ioredis'
import { closeRedisClient, connectOrFail, createRedisClient } from '../redis-client.js'
import type { RedisClient } from '../sessions/scripts.js'

declare module 'fastify' {
  interface FastifyInstance { redis: RedisClient }
}

// Errors that mean "the store is not there right now", as opposed to a bug: answered with 503 + Retry-After.
// Cluster: a redirection still pending (MOVED, ASK), a slot map being rebuilt, or no node reachable; Sentinel: none
// of the Sentinels answers or the primary they name is not reachable yet.
const UNAVAILABLE = new RegExp([
  'Connection is closed', "Stream isn't writeable", 'Command timed out', 'Command aborted due to connection close',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'max retries',
  '^READONLY', '^LOADING', '^MASTERDOWN', '^NOREPLICAS', '^BUSY', '^OOM',
  '^CLUSTERDOWN', '^TRYAGAIN', '^MOVED ', '^ASK ', 'Too many Cluster redirections', "Cluster isn't ready", 'Cluster is ended',
  'None of startup nodes', 'Failed to refresh slots cache',
  'All sentinels are unreachable', 'Failed to connect to any sentinel'
].join('|'), 'i')

export function isStoreUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  return err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError' || UNAVAILABLE.test(err.message)
}

export default fp(async (app) => {
  const redis = createRedisClient(app.config.redis, 'commands')
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
  app.addHook('onClose', () => closeRedisClient(redis))

  try {
    await connectOrFail(redis)
  } catch (err) {
    // Local verification keeps working without Redis; token routes answer 503 until it is back.
    app.log.error({ err: { message: (err as Error).message } }, 'redis unreachable at boot; token routes answer 503 until it is back')
    return
  }
  await warnUnlessNoEviction(redis, app.log)
}, { name: 'redis', dependencies: ['config'] })

/** Checked on every master of a Cluster: any one evicting loses the sessions in its slots. */
async function warnUnlessNoEviction (redis: RedisClient, log: { warn: (o: object, m: string) => void }): Promise<void> {
  const nodes: Redis[] = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis]
  for (const node of nodes) {
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
  }
}
