// GET /me: who the verified access token belongs to. The token carries no email (no personal data in tokens), so the
// email comes from the user store, remembered per process (src/users/user-emails.ts). Authentication stays local:
// while Redis is down /me still answers, from the token alone, with email null and degraded true, never a 503.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { errors } from '../errors.js'
import { errorResponses, success } from '../schemas/common.js'
import { Me } from '../schemas/sessions.js'

const routes: FastifyPluginAsync = async (app) => {
  const fromStore = async (request: FastifyRequest, id: string, sessionId: string) => {
    const email = await app.userEmails.load(id)
    // A valid signature for a user the store does not know: not an account we serve (wrong prefix or store).
    if (email === undefined) throw errors.invalidToken('The account of this access token does not exist')
    if (email === null) request.log.debug('user store unavailable: /me answered from the access token alone')
    return { id, email, session_id: sessionId, degraded: email === null }
  }

  app.get('/me', {
    onRequest: app.authenticate,
    schema: {
      summary: 'Who the access token belongs to',
      tags: ['me'],
      security: [{ bearerAuth: [] }],
      response: {
        200: success(Me, 'The caller: the access token, verified locally, and the email from the user store (degraded: from the token alone)'),
        ...errorResponses(400, 401, 503)
      }
    }
  }, (request) => {
    const { userId, sessionId } = request.auth!
    const email = app.userEmails.remembered(userId)
    // Synchronous when remembered: the answer is in hand, and a promise would only add a turn of the microtask queue.
    if (email !== undefined) return { id: userId, email, session_id: sessionId, degraded: false }
    return fromStore(request, userId, sessionId)
  })
}

export default routes
