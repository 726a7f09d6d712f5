// GET /healthz (the process is alive) and GET /readyz (Redis answers): liveness and readiness for balancers.
import type { FastifyPluginAsync } from 'fastify'
import { errors } from '../errors.js'
import { SERVED_UNDER_PRESSURE } from '../plugins/overload.js'
import { errorResponses, HealthStatus, success } from '../schemas/common.js'

const routes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', {
    // Liveness stays 200 under overload (the load-shedding 503 skips it): restarting a busy process only moves its load.
    config: SERVED_UNDER_PRESSURE,
    schema: { summary: 'Liveness', tags: ['health'], response: { 200: success(HealthStatus, 'The process is alive') } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: { summary: 'Readiness: the session store answers', tags: ['health'], response: { 200: success(HealthStatus, 'Redis answers: ready for traffic'), ...errorResponses(503) } }
  }, async () => {
    try {
      await app.redis.ping()
    } catch {
      throw errors.temporarilyUnavailable('The session store does not answer')
    }
    // A degraded feed does not take the instance out of rotation (all instances would go at once); it is reported.
    return { status: 'ready' as const, revocation_feed: app.revocations.feed.status().state }
  })
}

export default routes
