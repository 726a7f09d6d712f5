// Access-token revocation on every instance: the in-process list consulted by `authenticate`, kept current by the
// Redis feed. Opens (and closes) its own subscriber connection: a connection in subscribe mode can run nothing else.
import fp from 'fastify-plugin'
import { createKeyNames } from '../key-names.js'
import { BOOT_READY_WAIT_MS, closeRedisClient, connectOrFail, createRedisClient } from '../redis-client.js'
import { createRevocationFeed, type RevocationFeed } from '../revocation/revocation-feed.js'
import { createRevocationList, type RevocationList } from '../revocation/revocation-list.js'
import { createFeedLog, type FeedLog } from '../revocation/feed-log.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** log: the recent events served to other services; only when the feed for them is enabled. */
    revocations: { list: RevocationList, feed: RevocationFeed, log?: FeedLog }
  }
}

export default fp(async (app) => {
  const { redis: redisConfig, jwt, revocationResyncIntervalMs } = app.config
  const keys = createKeyNames(redisConfig.keyPrefix)
  // A token issued just before a revocation can live this long; no entry needs to outlive it.
  const retentionMs = (jwt.accessTokenTtlSeconds + jwt.clockToleranceSeconds) * 1000
  const list = createRevocationList({ retentionMs, nowMs: app.clock })
  // Named rotor-revocation-feed in CLIENT LIST; it does not resubscribe by itself: the feed does, then replays the log.
  const subscriber = createRedisClient(redisConfig, 'subscriber', {
    onRedrive: (why) => { app.log.warn({ why }, 'revocation feed connection re-driven: ioredis had given up on it') }
  })
  subscriber.on('error', () => { /* state changes are reported by the feed status and the redis plugin's log */ })
  let degradedLogged = false
  const feed = createRevocationFeed({
    redis: app.redis,
    subscriber,
    logKey: keys.revocationLog(),
    channel: keys.revocationChannel(),
    list,
    retentionMs,
    resyncIntervalMs: revocationResyncIntervalMs,
    durability: app.redisDurability,
    onError: (err) => {
      if (!degradedLogged) app.log.warn({ err: { message: err.message } }, 'revocation feed degraded: revocations from other instances may arrive late')
      degradedLogged = true
    }
  })
  // Listening before the first replay: the ring starts with the log as it stands at boot.
  const log = app.config.revocationFeed.enabled ? createFeedLog(app.config.revocationFeed.bufferEvents) : undefined
  if (log !== undefined) feed.onLogEntry(log.append)
  app.decorate('revocations', { list, feed, log })
  app.addHook('onClose', async () => {
    feed.stop()
    await closeRedisClient(subscriber)
  })
  await connectOrFail(subscriber, BOOT_READY_WAIT_MS).catch(() => undefined)
  await feed.start()
}, { name: 'revocations', dependencies: ['config', 'redis'] })
