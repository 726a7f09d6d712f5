// The revocation feed for other services (when REVOCATION_FEED_ENABLED): the subscriber registry and the credential
// check, served from this instance's feed log and revocation list. Streams are ended before the server closes, so
// that close() does not wait on them; subscribers reconnect to another instance with their Last-Event-ID.
import fp from 'fastify-plugin'
import { createFeedServerMetrics } from '../metrics/feed-server-metrics.js'
import { createCredentialCheck, type FeedAuth } from '../revocation/feed-credentials.js'
import { createFeedServer, type FeedServer } from '../revocation/feed-server.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined when the feed is disabled. */
    revocationStream?: { server: FeedServer, authorize: (authorization: string | undefined) => FeedAuth, pollSnapshot: () => void }
  }
}

export default fp(async (app) => {
  const feedConfig = app.config.revocationFeed
  const { log, list, feed } = app.revocations
  if (!feedConfig.enabled || log === undefined) return
  const hooks = createFeedServerMetrics(app.metrics.registry, () => server.subscribers())
  const server: FeedServer = createFeedServer({
    log,
    list,
    status: feed.status,
    maxSubscribers: feedConfig.maxSubscribers,
    heartbeatSeconds: feedConfig.heartbeatSeconds,
    bufferBytes: feedConfig.subscriberBufferBytes,
    hooks,
    nowMs: app.clock
  })
  app.decorate('revocationStream', { server, authorize: createCredentialCheck(feedConfig.credentials, feedConfig.open), pollSnapshot: hooks.pollSnapshot })
  app.addHook('preClose', async () => { server.close() })
}, { name: 'revocation-stream', dependencies: ['config', 'revocations', 'metrics'] })
