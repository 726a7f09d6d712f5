// /admin/users/{id}: read a user, end their sessions, disable/enable them, set their roles. Admin role required,
// checked against a strictly verified (store-checked) token.
import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import { createAdminService, type AdminView } from '../auth/admin-service.js'
import { errors } from '../errors.js'
import { AdminUser, RolesBody, UserParams, type RolesBodyT, type UserParamsT } from '../schemas/admin.js'
import { errorResponses, roleRequired, success } from '../schemas/common.js'

const toBody = (u: AdminView) => ({
  id: u.id,
  email: u.email,
  created_at: new Date(u.createdAtMs).toISOString(),
  roles: u.roles,
  disabled: u.disabled,
  session_version: u.sessionVersion,
  active_sessions: u.activeSessions
})

const routes: FastifyPluginAsync = async (app) => {
  const admin = createAdminService({ users: app.users, sessions: app.sessions, revoker: app.revoker })
  app.addHook('onRequest', app.authenticateStrict)
  app.addHook('onRequest', app.requireRole('admin'))
  const base = { tags: ['admin'], security: [{ bearerAuth: [] }], params: UserParams }
  const failures = { ...errorResponses(400, 401, 404, 414, 503), ...roleRequired('admin') }
  const noContent = { 204: Type.Null({ description: 'Done' }), ...failures }
  const found = <T> (value: T | undefined): T => {
    if (value === undefined) throw errors.notFound('No such user')
    return value
  }

  app.get<{ Params: UserParamsT }>('/admin/users/:id', {
    schema: { ...base, summary: 'Read a user', response: { 200: success(AdminUser, 'The user'), ...failures } }
  }, async (request) => toBody(found(await admin.view(request.params.id))))

  for (const [action, summary] of [['revoke-sessions', 'End every session of the user'], ['disable', 'Disable the user and end their sessions'], ['enable', 'Enable the user']] as const) {
    app.post<{ Params: UserParamsT }>(`/admin/users/:id/${action}`, { schema: { ...base, summary, response: noContent } }, async (request, reply) => {
      const userId = request.params.id
      found(action === 'revoke-sessions' ? await admin.revokeSessions(userId) : await admin.setDisabled(userId, action === 'disable'))
      app.audit(request, { event: 'admin_action', action, actorId: request.auth!.userId, userId })
      return reply.code(204).send()
    })
  }

  app.put<{ Params: UserParamsT, Body: RolesBodyT }>('/admin/users/:id/roles', {
    schema: { ...base, summary: 'Replace the user\'s roles (ends their sessions)', body: Type.Ref(RolesBody), response: { 200: success(AdminUser, 'The user with the new roles'), ...failures, ...errorResponses(413, 415) } }
  }, async (request) => {
    const view = found(await admin.setRoles(request.params.id, request.body.roles))
    app.audit(request, { event: 'admin_action', action: 'set_roles', actorId: request.auth!.userId, userId: request.params.id })
    return toBody(view)
  })
}

export default routes
