// Prometheus metrics: one registry per app (never the global one), fed by the audit channel, the revoker, the
// revocation feed, the Redis client and the bearer authenticator. Served by routes/metrics.ts on the main port, or
// when METRICS_PORT is set by a separate listener (metrics/metrics-server.ts, started by server.ts).
import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { createKeyNames } from '../key-names.js'
import { createActiveSessions, registerActiveSessionsGauge, type ActiveSessions } from '../metrics/active-sessions.js'
import { instrumentDurability } from '../metrics/durability-metrics.js'
import { instrumentRevocationFeed } from '../metrics/feed-metrics.js'
import { instrumentRedisClient } from '../metrics/redis-timing.js'
import { createMetricsRegistry } from '../metrics/registry.js'
import { createSecurityMetrics, type TokenRejection } from '../metrics/security-metrics.js'
import { instrumentTokenCache } from '../metrics/token-cache-metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: {
      registry: Registry
      activeSessions: ActiveSessions
      /** Count a bearer token that `authenticate` refused. */
      accessTokenRejected: (reason: TokenRejection) => void
    }
  }
}

export default fp(async (app) => {
  const { refresh, redis, metrics } = app.config
  const registry = createMetricsRegistry()
  const security = createSecurityMetrics(registry)
  instrumentRedisClient(app.redis, registry)
  instrumentRevocationFeed(app.revocations.feed, registry)
  instrumentDurability(app.redisDurability, registry)
  instrumentTokenCache(app.accessTokens, registry)
  const activeSessions = createActiveSessions({
    redis: app.redis,
    keys: createKeyNames(redis.keyPrefix),
    idleTtlSeconds: refresh.idleTtlSeconds,
    flushIntervalMs: metrics.activeSessionsFlushIntervalMs,
    cacheMs: metrics.activeSessionsCacheSeconds * 1000,
    nowMs: app.clock,
    // A Redis outage is already logged by the redis plugin; this only says the gauge is stale meanwhile.
    onError: (err) => { app.log.debug({ err: { message: err.message } }, 'active-sessions count not updated') }
  })
  registerActiveSessionsGauge(activeSessions, registry)

  app.audit.on((event) => {
    security.onAuditEvent(event)
    // "Used": a family created (login, password change) or refreshed.
    if (event.event === 'login_succeeded' || event.event === 'refresh_succeeded' || event.event === 'password_changed') {
      activeSessions.record(event.familyId)
    }
  })
  app.revoker.onRevoked(security.onRevoked)
  app.decorate('metrics', { registry, activeSessions, accessTokenRejected: security.accessTokenRejected })
  app.addHook('onClose', async () => { await activeSessions.stop() })
}, { name: 'metrics', dependencies: ['config', 'audit', 'redis', 'revocations', 'sessions', 'access-tokens'] })
