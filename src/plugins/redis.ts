// The Redis client: explicit timeouts and no offline queue, so a Redis outage turns into a fast 503 rather than
// requests piling up. The plugin that opens the connection closes it.
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import type { RedisClient } from '../sessions/scripts.js'

declare module 'fastify' {
  interface FastifyInstance { redis: RedisClient }
}

// Errors that mean "the store is not there right now", as opposed to a bug: answered with 503 + Retry-After.
const UNAVAILABLE = /Connection is closed|Stream isn't writeable|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|^READONLY|^CLUSTERDOWN|^LOADING|^MASTERDOWN|^TRYAGAIN|^NOREPLICAS|^BUSY|^OOM|None of startup nodes|Failed to refresh slots cache|max retries/i

export function isStoreUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  return err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError' || UNAVAILABLE.test(err.message)
}

export default fp(async (app) => {
  const { url, connectTimeoutMs, commandTimeoutMs } = app.config.redis
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000)
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
  app.decorate('redis', redis)
  app.addHook('onClose', async () => { await redis.quit().catch(() => redis.disconnect()) })

  try {
    await redis.connect()
  } catch (err) {
    // Local verification keeps working without Redis; token routes answer 503 until it is back.
    app.log.error({ err: { message: (err as Error).message } }, 'redis unreachable at boot; token routes answer 503 until it is back')
    return
  }
  await warnUnlessNoEviction(redis, app.log)
}, { name: 'redis', dependencies: ['config'] })

async function warnUnlessNoEviction (redis: Redis, log: { warn: (o: object, m: string) => void }): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string]
    if (policy !== 'noeviction') {
      log.warn({ policy }, 'redis maxmemory-policy is not noeviction: under memory pressure Redis may evict live sessions or revocations')
    }
  } catch {
    // CONFIG may be disabled on managed Redis; then we cannot tell.
    log.warn({}, 'cannot read redis maxmemory-policy (CONFIG disabled?); make sure it is noeviction')
  }
}
