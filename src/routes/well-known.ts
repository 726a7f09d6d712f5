// GET /.well-known/jwks.json: public verification keys (RFC 7517). Cached briefly: a new key must be published
// at least this long before it signs, and an old one kept until its last token expires (see README, key rotation).
import type { FastifyPluginAsync } from 'fastify'
import { SERVED_UNDER_PRESSURE } from '../plugins/overload.js'
import { success } from '../schemas/common.js'
import { Jwks } from '../schemas/sessions.js'
import { AuthorizationServerMetadata } from '../schemas/feed.js'

export const JWKS_MAX_AGE_SECONDS = 300

const routes: FastifyPluginAsync = async (app) => {
  app.get('/.well-known/jwks.json', {
    config: SERVED_UNDER_PRESSURE, // a static answer that every verifier needs: never shed
    schema: { summary: 'Public keys for verifying access tokens', tags: ['keys'], response: { 200: success(Jwks, 'The public JWK set (RFC 7517)', { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` }) } }
  }, async (_request, reply) => {
    reply.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
    return app.jwks
  })

  // RFC 8414 §3: what a resource server would otherwise hard-code. Built once: it follows the configuration and the
  // published keys, which change only with a restart. URLs hang off JWT_ISSUER, the public base URL.
  const { jwt, revocationFeed } = app.config
  const base = jwt.issuer.replace(/\/+$/, '')
  const metadata = {
    issuer: jwt.issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/auth/token`,
    grant_types_supported: ['password', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['none'], // public clients (SPAs, mobile apps): no client secret
    response_types_supported: [], // no authorization endpoint: login is first-party (docs/revocation-feed.md)
    rotor_access_token_signing_alg_values_supported: [...new Set(app.jwks.keys.map((k) => k.alg))],
    rotor_access_token_typ: 'at+jwt' as const,
    rotor_audience: jwt.audience,
    rotor_access_token_max_lifetime_seconds: jwt.accessTokenTtlSeconds,
    ...(revocationFeed.enabled
      ? { rotor_revocation_stream_endpoint: `${base}/revocations/stream`, rotor_revocation_poll_endpoint: `${base}/revocations` }
      : {})
  }
  app.get('/.well-known/oauth-authorization-server', {
    config: SERVED_UNDER_PRESSURE,
    schema: {
      summary: 'Authorization server metadata (RFC 8414)',
      tags: ['keys'],
      response: { 200: success(AuthorizationServerMetadata, 'Issuer, keys, token rules and the revocation feed', { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` }) }
    }
  }, async (_request, reply) => {
    reply.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
    return metadata
  })
}

export default routes
