// GET /me: answered from the verified access token alone, so it keeps working while Redis is down.
import type { FastifyPluginAsync } from 'fastify'
import { errorResponses, success } from '../schemas/common.js'
import { Me } from '../schemas/sessions.js'

const routes: FastifyPluginAsync = async (app) => {
  app.get('/me', {
    onRequest: app.authenticate,
    schema: {
      summary: 'Who the access token belongs to',
      tags: ['me'],
      security: [{ bearerAuth: [] }],
      response: { 200: success(Me, 'The caller, from the access token alone'), ...errorResponses(401, 503) }
    }
  }, (request) => {
    // Synchronous: the answer is in hand, and a promise would only add a turn of the event loop's microtask queue.
    const { userId, email, sessionId } = request.auth!
    return { id: userId, email, session_id: sessionId }
  })
}

export default routes
