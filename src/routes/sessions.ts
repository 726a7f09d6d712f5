// GET /auth/sessions and DELETE /auth/sessions/{id}: the caller's own sessions only (keys are per user, so a
// foreign id addresses a key that does not exist and answers 404 like an unknown one).
import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from '@sinclair/typebox'
import { errors } from '../errors.js'
import { errorResponses, success } from '../schemas/common.js'
import { SessionList, SessionParams } from '../schemas/sessions.js'
import { noStore } from './token-reply.js'

const iso = (ms: number): string => new Date(ms).toISOString()

const routes: FastifyPluginAsync = async (app) => {
  app.get('/auth/sessions', {
    onRequest: app.authenticateStrict, // session management: a Redis read per request, fail closed
    schema: {
      summary: "List the caller's live sessions",
      tags: ['sessions'],
      security: [{ bearerAuth: [] }],
      response: { 200: success(SessionList, "The caller's live sessions, most recently used first", { 'Cache-Control': 'no-store' }), ...errorResponses(400, 401, 503) }
    }
  }, async (request, reply) => {
    const { userId, sessionId } = request.auth!
    const sessions = await app.sessions.listSessions(userId)
    noStore(reply)
    return {
      sessions: sessions.map((s) => ({
        id: s.id,
        created_at: iso(s.createdAtMs),
        last_used_at: iso(s.lastUsedAtMs),
        expires_at: iso(s.expiresAtMs),
        user_agent: s.userAgent,
        ip: s.ip,
        current: s.id === sessionId
      }))
    }
  })

  app.delete<{ Params: Static<typeof SessionParams> }>('/auth/sessions/:id', {
    onRequest: app.authenticateStrict, // session management: a Redis read per request, fail closed
    schema: {
      summary: 'End one of the caller\'s sessions',
      tags: ['sessions'],
      security: [{ bearerAuth: [] }],
      params: SessionParams,
      response: { 204: Type.Null({ description: 'Revoked' }), ...errorResponses(400, 401, 404, 414, 503) }
    }
  }, async (request, reply) => {
    const { userId } = request.auth!
    const revoked = await app.revoker.family(userId, request.params.id, 'session_deleted')
    if (!revoked) throw errors.notFound('No such session')
    app.audit(request, { event: 'session_deleted', userId, familyId: request.params.id })
    return reply.code(204).send()
  })
}

export default routes
