// GET /healthz (the process is alive) and GET /readyz (Redis answers, the revocation log has been replayed since boot
// and the instance is not draining): liveness and
// readiness for balancers. Not encapsulated, so that server.ts can reach `app.readiness` and start the drain on SIGTERM.
import fp from 'fastify-plugin'
import { errors } from '../errors.js'
import { SERVED_UNDER_PRESSURE } from '../plugins/overload.js'
import { errorResponses, HealthStatus, success } from '../schemas/common.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Draining: /readyz answers 503 so balancers take the instance out of rotation, while every request is still served. */
    readiness: { readonly draining: boolean, startDraining: () => void }
  }
}

export default fp(async (app) => {
  let draining = false
  app.decorate('readiness', {
    get draining () { return draining },
    startDraining () { draining = true }
  })
  // While draining, each response ends its connection: the balancer's next request opens a new one to an instance still
  // in rotation, rather than reusing an idle connection that close() is about to cut.
  // Synchronous: it runs on every request of the app, and costs one boolean test until the drain starts.
  app.addHook('onRequest', (_request, reply, done) => {
    if (draining) reply.header('connection', 'close')
    done()
  })

  app.get('/healthz', {
    // Liveness stays 200 under overload (the load-shedding 503 skips it): restarting a busy process only moves its load.
    // It stays 200 while draining too: the process is alive and finishing its work.
    config: SERVED_UNDER_PRESSURE,
    schema: { summary: 'Liveness', tags: ['health'], response: { 200: success(HealthStatus, 'The process is alive') } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: { summary: 'Readiness: the session store answers', tags: ['health'], response: { 200: success(HealthStatus, 'Redis answers: ready for traffic'), ...errorResponses(503) } }
  }, async () => {
    if (draining) throw errors.temporarilyUnavailable('This instance is shutting down')
    try {
      await app.redis.ping()
    } catch {
      throw errors.temporarilyUnavailable('The session store does not answer')
    }
    const feed = app.revocations.feed.status()
    // Never replayed since boot: revocations made before this instance started are unknown to it (ASVS 3.3.1).
    if (!feed.caughtUp) throw errors.temporarilyUnavailable('The revocation log has not been replayed since this instance started')
    // A degraded feed does not take the instance out of rotation (all instances would go at once); it is reported.
    return { status: 'ready' as const, revocation_feed: feed.state }
  })
}, { name: 'health', dependencies: ['redis', 'revocations'] })
