// GET /metrics: this instance's Prometheus metrics (text exposition format). Registered only when METRICS_PORT is
// unset; otherwise the separate listener serves them and the main port answers 404 (see app.ts, server.ts).
import type { FastifyPluginAsync } from 'fastify'
import { SERVED_UNDER_PRESSURE } from '../plugins/overload.js'

const routes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', {
    logLevel: 'warn', // scraped every few seconds: no access-log line per scrape
    config: SERVED_UNDER_PRESSURE, // overload is when the numbers matter most
    schema: {
      summary: 'Prometheus metrics of this instance (text exposition format 0.0.4)',
      tags: ['health'],
      response: {
        200: {
          description: 'Counters, gauges and histograms named rotor_*; no label carries a user id, email or token',
          content: { 'text/plain': { schema: { type: 'string' } } }
        }
      }
    }
  }, async (_request, reply) => {
    const { registry } = app.metrics
    reply.header('Cache-Control', 'no-store').type(registry.contentType)
    return registry.metrics()
  })
}

export default routes
