// Bearer authentication (RFC 6750 §2.1): verifies the access token locally, no store round trip.
// Routes opt in with `onRequest: app.authenticate`; never by matching URLs.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { errors } from '../errors.js'
import { AccessTokenError, type AccessClaims } from '../tokens/access-token.js'

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>
    /** authenticate plus a Redis read that the session is live right now; fails closed (503) without Redis. */
    authenticateStrict: (request: FastifyRequest) => Promise<void>
    /** After authentication: 403 insufficient_scope unless the token carries the role (RFC 6750 §3.1). */
    requireRole: (role: string) => (request: FastifyRequest) => Promise<void>
    /** The bearer token's text, or undefined when the request carries none. Throws on a non-Bearer scheme. */
    bearerToken: (request: FastifyRequest) => string | undefined
  }
  interface FastifyRequest { auth: AccessClaims | null }
}

const BEARER = /^Bearer +([^ ]+) *$/i // the scheme is case-insensitive (RFC 9110 §11.1)

export default fp(async (app) => {
  app.decorateRequest('auth', null)

  const bearerToken = (request: FastifyRequest): string | undefined => {
    const header = request.headers.authorization
    if (header === undefined) return undefined
    const m = BEARER.exec(header)
    if (m === null) throw errors.invalidToken('Send the access token as: Authorization: Bearer <token>')
    return m[1]
  }

  app.decorate('bearerToken', bearerToken)
  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request)
    if (token === undefined) throw errors.invalidToken()
    let claims: AccessClaims
    try {
      claims = await app.accessTokens.verify(token)
    } catch (err) {
      if (!(err instanceof AccessTokenError)) throw err
      request.log.debug({ reason: err.reason }, 'access token rejected')
      app.metrics.accessTokenRejected(err.reason)
      throw errors.invalidToken(err.reason === 'expired' ? 'The access token has expired' : undefined)
    }
    // After the signature: has the session been revoked since the token was issued? Claims only, no store round trip.
    if (app.revocations.list.isRevoked(claims)) {
      request.log.debug({ reason: 'revoked' }, 'access token rejected')
      app.metrics.accessTokenRejected('revoked')
      throw errors.invalidToken('The session has been revoked')
    }
    request.auth = claims
  }

  app.decorate('authenticate', authenticate)
  app.decorate('authenticateStrict', async (request: FastifyRequest) => {
    await authenticate(request)
    const { userId, sessionId, sessionVersion } = request.auth!
    const state = await app.sessions.checkSession(userId, sessionId, sessionVersion)
    if (state !== 'ok') {
      request.log.debug({ reason: state }, 'access token rejected by the strict check')
      app.metrics.accessTokenRejected('strict_check')
      throw errors.invalidToken('The session has been revoked')
    }
  })
  app.decorate('requireRole', (role: string) => async (request: FastifyRequest) => {
    // Roles come from the token; a role change bumps the session version, so strict routes see current roles.
    if (request.auth === null || !request.auth.roles.includes(role)) throw errors.insufficientScope()
  })
}, { name: 'authenticate', dependencies: ['access-tokens', 'revocations', 'sessions', 'metrics'] })
