// GET /.well-known/jwks.json: public verification keys (RFC 7517). Cached briefly: a new key must be published
// at least this long before it signs, and an old one kept until its last token expires (see README, key rotation).
import type { FastifyPluginAsync } from 'fastify'
import { SERVED_UNDER_PRESSURE } from '../plugins/overload.js'
import { success } from '../schemas/common.js'
import { Jwks } from '../schemas/sessions.js'

export const JWKS_MAX_AGE_SECONDS = 300

const routes: FastifyPluginAsync = async (app) => {
  app.get('/.well-known/jwks.json', {
    config: SERVED_UNDER_PRESSURE, // a static answer that every verifier needs: never shed
    schema: { summary: 'Public keys for verifying access tokens', tags: ['keys'], response: { 200: success(Jwks, 'The public JWK set (RFC 7517)', { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` }) } }
  }, async (_request, reply) => {
    reply.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
    return app.jwks
  })
}

export default routes
