// A minimal resource server protected by Rotor's tokens: the @rotor/verify Fastify plugin, one route for any valid
// token, one for the admin role, and a health route that reports the verifier's feed status. No env, no listen
// (server.ts does both), so tests build it in-process too.
import Fastify, { type FastifyInstance } from 'fastify'
import { rotorVerifyPlugin, type RotorVerifyPluginOptions } from '@rotor/verify/fastify'

export async function buildResourceServer (options: RotorVerifyPluginOptions, logger = false): Promise<FastifyInstance> {
  const app = Fastify({ logger })
  await app.register(rotorVerifyPlugin, options)

  app.get('/hello', { onRequest: app.authenticate }, async (request) => ({
    hello: request.auth!.userId,
    // True only with onFeedDown 'accept-and-flag' while the revocation feed is down: decide per route what that means.
    degraded: request.authDegraded
  }))
  app.get('/admin', { onRequest: app.authenticate, preHandler: app.requireRole('admin') }, async (request) => ({ admin: request.auth!.userId }))
  app.get('/healthz', async (_request, reply) => {
    const status = app.rotorVerifier.status()
    // Not ready while tokens cannot be judged: a load balancer sends traffic elsewhere.
    return reply.code(status.feedDown || status.keys === 0 ? 503 : 200).send(status)
  })
  return app
}
