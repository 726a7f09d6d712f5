// POST /auth/refresh, /auth/logout and /auth/logout-all.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { errors } from '../errors.js'
import { LogoutBody, RefreshBody, TokenResponse, type LogoutBodyT, type RefreshBodyT } from '../schemas/auth.js'
import { CsrfHeaders, errorResponses, success, TOKEN_HEADERS } from '../schemas/common.js'
import { checkGrantType } from './grant-type.js'
import { noStore, sendGrant } from './token-reply.js'

/**
 * The refresh token from the JSON body or the cookie. Both present and different is ambiguous: 400, nothing touched.
 * A cookie-borne token is only honoured on a CSRF-safe request.
 */
function presentedRefreshToken (app: FastifyInstance, request: FastifyRequest, bodyToken: string | undefined) {
  const cookieToken = app.refreshCookie.read(request)
  if (bodyToken !== undefined && cookieToken !== undefined && bodyToken !== cookieToken) {
    throw errors.invalidRequest('The body and the cookie carry different refresh tokens')
  }
  if (cookieToken !== undefined) {
    app.refreshCookie.assertCsrfSafe(request)
    return { token: cookieToken, viaCookie: true }
  }
  return bodyToken === undefined ? undefined : { token: bodyToken, viaCookie: false }
}

// Cookie-mode clients may POST with no body at all; read that as an empty object rather than a schema failure.
async function emptyBodyAsObject (request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {}
}

const routes: FastifyPluginAsync = async (app) => {
  app.post<{ Body: RefreshBodyT }>('/auth/refresh', {
    config: { rateLimit: app.rateLimits.refresh },
    preValidation: [emptyBodyAsObject, checkGrantType('refresh_token')],
    schema: {
      summary: 'Rotate a refresh token (from the body or the cookie) for new tokens',
      tags: ['auth'],
      body: Type.Ref(RefreshBody),
      headers: CsrfHeaders,
      security: [{}, { refreshCookie: [] }],
      response: { 200: success(TokenResponse, 'Rotated (or, inside the grace window, the same successor again); delivery mirrors how the token arrived', TOKEN_HEADERS), ...errorResponses(400, 403, 413, 415, 429, 503) }
    }
  }, async (request, reply) => {
    const presented = presentedRefreshToken(app, request, request.body.refresh_token)
    if (presented === undefined) throw errors.invalidRequest('Send refresh_token in the body or the refresh cookie')
    const outcome = await app.authService.refresh(presented.token)
    if (!outcome.ok) {
      const { reason, userId, familyId } = outcome
      if ((reason === 'reuse' || reason === 'rollback') && userId !== undefined && familyId !== undefined) {
        app.audit(request, { event: reason === 'reuse' ? 'refresh_reuse_detected' : 'refresh_rollback_detected', userId, familyId })
      } else {
        app.audit(request, { event: 'refresh_failed', reason })
      }
      // Logged above whether or not a replica acknowledged the revocation; unacknowledged, it is answered 503.
      if (outcome.unconfirmed !== undefined) throw outcome.unconfirmed
      if (presented.viaCookie) app.refreshCookie.clear(reply)
      noStore(reply)
      throw errors.invalidGrant('The refresh token is invalid, expired or revoked')
    }
    const { userId, sessionId, replayed, recovered } = outcome.grant
    app.audit(request, { event: 'refresh_succeeded', userId, familyId: sessionId, replayed, recovered })
    return sendGrant(app, reply, outcome.grant, presented.viaCookie ? 'cookie' : 'body')
  })

  app.post<{ Body: LogoutBodyT }>('/auth/logout', {
    preValidation: emptyBodyAsObject,
    schema: {
      summary: 'End this session: revokes the refresh-token family named by the refresh token or the bearer token',
      tags: ['auth'],
      body: Type.Ref(LogoutBody),
      headers: CsrfHeaders,
      security: [{ bearerAuth: [] }, { refreshCookie: [] }, {}],
      response: { 204: Type.Null({ description: 'Revoked, or nothing left to revoke' }), ...errorResponses(400, 401, 403, 413, 415, 503) }
    }
  }, async (request, reply) => {
    const presented = presentedRefreshToken(app, request, request.body.refresh_token)
    if (presented !== undefined) {
      const outcome = await app.revoker.byRefreshToken(presented.token, 'logout')
      if (outcome === 'malformed' && !presented.viaCookie) throw errors.invalidRequest('refresh_token is malformed')
      if (typeof outcome === 'object') app.audit(request, { event: 'logout', ...outcome })
    } else if (app.bearerToken(request) !== undefined) {
      await app.authenticate(request)
      const { userId, sessionId } = request.auth!
      // The family may already be gone from the store while its access tokens live on: announce it regardless.
      if (!(await app.revoker.family(userId, sessionId, 'logout'))) await app.revoker.announceFamily(userId, sessionId, 'logout')
      app.audit(request, { event: 'logout', userId, familyId: sessionId })
    } else {
      throw errors.invalidRequest('Send a refresh token (body or cookie) or a bearer access token')
    }
    app.refreshCookie.clear(reply)
    return reply.code(204).send()
  })

  app.post('/auth/logout-all', {
    // The strict check is the store step itself (revoke-all-for-user.lua), so a retry can meet its own first attempt.
    onRequest: app.authenticateDeferringFloor,
    schema: {
      summary: 'End every session of the caller (bumps the session version)',
      description: 'Idempotent: a retry with the same access token after an answer that was lost or 503 confirms the ' +
        'logout-all that already stands (204) and ends no session begun since.',
      tags: ['auth'],
      security: [{ bearerAuth: [] }],
      response: { 204: Type.Null({ description: 'Every refresh-token family of the user is dead' }), ...errorResponses(400, 401, 503) }
    }
  }, async (request, reply) => {
    const { userId, sessionId, sessionVersion } = request.auth!
    if (!(await app.revoker.logoutAll({ userId, sessionId, sessionVersion }))) {
      app.metrics.accessTokenRejected('strict_check')
      throw errors.invalidToken('The session has been revoked')
    }
    app.audit(request, { event: 'logout_all', userId })
    app.refreshCookie.clear(reply)
    return reply.code(204).send()
  })
}

export default routes
