// Bearer authentication (RFC 6750 §2.1): verifies the access token locally, no store round trip.
// Routes opt in with `onRequest: app.authenticate`; never by matching URLs.
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { errors } from '../errors.js'
import type { TokenRejection } from '../metrics/security-metrics.js'
import { AccessTokenError, type AccessClaims } from '../tokens/access-token.js'
import { parseBearer } from '@rotor/verify'
import type { Authenticate } from '@rotor/verify/fastify-types'

// The Authorization grammar and the hook type are @rotor/verify's: resource servers parse headers exactly as we do,
// and both Fastify plugins declare request.auth and app.authenticate with the same types. The type comes from the
// types-only module: '@rotor/verify/fastify' would also give Rotor's Fastify types the package plugin's decorations
// (app.rotorVerifier, request.authDegraded), which Rotor never sets.
export { parseBearer } from '@rotor/verify'
export type { Authenticate } from '@rotor/verify/fastify-types'

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: Authenticate
    /** authenticate plus a Redis read that the session is live right now; fails closed (503) without Redis. */
    authenticateStrict: (request: FastifyRequest) => Promise<void>
    /**
     * authenticate, except that a user-wide revocation (a session-version floor) in the local list is left to the
     * route's own store step: for POST /auth/logout-all, whose retry must meet the floor its first attempt raised.
     */
    authenticateDeferringFloor: (request: FastifyRequest) => Promise<void>
    /** After authentication: 403 insufficient_scope unless the token carries the role (RFC 6750 §3.1). */
    requireRole: (role: string) => (request: FastifyRequest) => Promise<void>
    /** The bearer token's text, or undefined when the request carries none. Throws on a non-Bearer scheme. */
    bearerToken: (request: FastifyRequest) => string | undefined
  }
  interface FastifyRequest { auth: AccessClaims | null }
}

export default fp(async (app) => {
  app.decorateRequest('auth', null)

  const bearerToken = (request: FastifyRequest): string | undefined => {
    // RFC 6750 §2: a client uses one method only. The header is the only one we accept (a token in a URL ends up in
    // logs and histories, §2.3 and §5.3), so a query access_token is refused rather than ignored.
    if ((request.query as Record<string, unknown> | undefined)?.access_token !== undefined) {
      throw errors.invalidRequest('Send the access token in the Authorization header only, never in the URL (RFC 6750 §2)')
    }
    // A second Authorization header never gets here: the framing check refuses every request that repeats it
    // (src/request-framing.ts, in the error handler's onRequest hook).
    const header = request.headers.authorization
    if (header === undefined) return undefined
    const token = parseBearer(header)
    if (token === undefined) throw errors.invalidToken('Send the access token as: Authorization: Bearer <token>')
    return token
  }

  const reject = (request: FastifyRequest, reason: TokenRejection, description?: string): never => {
    request.log.debug({ reason }, 'access token rejected')
    app.metrics.accessTokenRejected(reason)
    throw errors.invalidToken(description)
  }

  /** Sets request.auth or throws invalid_token. A cached token costs no promise, no hash and no regular expression. */
  const authenticateRequest = (request: FastifyRequest, deferFloor = false): void => {
    const token = bearerToken(request)
    if (token === undefined) throw errors.invalidToken()
    let claims: AccessClaims
    try {
      claims = app.accessTokens.verifySync(token)
    } catch (err) {
      if (!(err instanceof AccessTokenError)) throw err
      return reject(request, err.reason, err.reason === 'expired' ? 'The access token has expired' : undefined)
    }
    // After the signature: has the session been revoked since the token was issued? Claims only, no store round trip.
    // Deferring the floor: the session itself is asked about, at a version no floor reaches.
    const asked = deferFloor ? { ...claims, sessionVersion: Number.MAX_SAFE_INTEGER } : claims
    if (app.revocations.list.isRevoked(asked)) return reject(request, 'revoked', 'The session has been revoked')
    request.auth = claims
  }

  function authenticate (request: FastifyRequest): Promise<void>
  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void
  function authenticate (request: FastifyRequest, _reply?: FastifyReply, done?: HookHandlerDoneFunction): Promise<void> | void {
    try {
      authenticateRequest(request)
    } catch (err) {
      if (done === undefined) return Promise.reject(err)
      done(err as Error)
      return
    }
    // Outside the try: whatever the next hook throws is not this hook's error.
    if (done === undefined) return Promise.resolve()
    done()
  }

  app.decorate('bearerToken', bearerToken)
  app.decorate('authenticate', authenticate)
  app.decorate('authenticateStrict', async (request: FastifyRequest) => {
    authenticateRequest(request)
    const { userId, sessionId, sessionVersion } = request.auth!
    const state = await app.sessions.checkSession(userId, sessionId, sessionVersion)
    if (state !== 'ok') {
      request.log.debug({ reason: state }, 'access token rejected by the strict check')
      app.metrics.accessTokenRejected('strict_check')
      throw errors.invalidToken('The session has been revoked')
    }
  })
  app.decorate('authenticateDeferringFloor', async (request: FastifyRequest) => { authenticateRequest(request, true) })
  app.decorate('requireRole', (role: string) => async (request: FastifyRequest) => {
    // Roles come from the token; a role change bumps the session version, so strict routes see current roles.
    if (request.auth === null || !request.auth.roles.includes(role)) throw errors.insufficientScope()
  })
}, { name: 'authenticate', dependencies: ['access-tokens', 'revocations', 'sessions', 'metrics'] })
