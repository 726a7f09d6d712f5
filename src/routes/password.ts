// POST /auth/password: change the password. Every other session dies (session version bump); this device gets a
// fresh family and tokens, since identifiers regenerate on a privilege change (OWASP Session Management).
import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import { errors } from '../errors.js'
import { PasswordChangeBody, type PasswordChangeBodyT } from '../schemas/admin.js'
import { TokenResponse } from '../schemas/auth.js'
import { CsrfHeaders, errorResponses, success, TOKEN_HEADERS } from '../schemas/common.js'
import { sendGrant } from './token-reply.js'

const routes: FastifyPluginAsync = async (app) => {
  app.post<{ Body: PasswordChangeBodyT }>('/auth/password', {
    onRequest: [app.admitPasswordWork, app.authenticateStrict], // argon2 admission before the session's Redis check
    schema: {
      summary: 'Change the password: ends every session and returns tokens for a new one on this device',
      tags: ['auth'],
      security: [{ bearerAuth: [] }],
      body: Type.Ref(PasswordChangeBody),
      headers: CsrfHeaders,
      response: { 200: success(TokenResponse, 'Changed; the tokens of the new session', TOKEN_HEADERS), ...errorResponses(400, 401, 403, 413, 415, 503) }
    }
  }, async (request, reply) => {
    const { current_password: currentPassword, new_password: newPassword, refresh_delivery: delivery = 'body' } = request.body
    if (delivery === 'cookie') app.refreshCookie.assertCsrfSafe(request)
    const outcome = await app.authService.changePassword({
      userId: request.auth!.userId, currentPassword, newPassword, userAgent: request.headers['user-agent'] ?? '', ip: request.ip, permit: request.passwordPermit
    })
    if (!outcome.ok) {
      if (outcome.reason === 'invalid_password') throw errors.invalidRequest(`new_${outcome.description}`)
      if (outcome.reason === 'weak_password') throw errors.weakPassword(outcome.description)
      if (outcome.reason === 'wrong_password') throw errors.invalidGrant('The current password is wrong')
      throw errors.invalidToken('The session has been revoked')
    }
    app.audit(request, { event: 'password_changed', userId: outcome.grant.userId, familyId: outcome.grant.sessionId })
    // The old family is dead either way; a cookie holding it is removed unless a new one replaces it.
    if (delivery === 'body') app.refreshCookie.clear(reply)
    return sendGrant(app, reply, outcome.grant, delivery)
  })
}

export default routes
