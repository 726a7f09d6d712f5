// Bodies of POST /auth/password and the /admin API.
import { Type, type Static } from '@sinclair/typebox'
import { Password } from './auth.js'

export const PasswordChangeBody = Type.Object({
  current_password: Password,
  new_password: Password,
  refresh_delivery: Type.Optional(Type.Union([Type.Literal('body'), Type.Literal('cookie')]))
}, { $id: 'PasswordChangeBody', additionalProperties: false })
export type PasswordChangeBodyT = Static<typeof PasswordChangeBody>

export const ROLE_PATTERN = '^[a-z][a-z0-9_-]{0,31}$'
export const Roles = Type.Array(Type.String({ pattern: ROLE_PATTERN }), { maxItems: 16, uniqueItems: true })

export const RolesBody = Type.Object({ roles: Roles }, { $id: 'RolesBody', additionalProperties: false })
export type RolesBodyT = Static<typeof RolesBody>

// Path parameters are inlined into each operation's parameters, not components.
export const UserParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$', description: 'The user id' })
}, { additionalProperties: false })
export type UserParamsT = Static<typeof UserParams>

export const AdminUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  roles: Roles,
  disabled: Type.Boolean(),
  session_version: Type.Integer({ description: 'Bumped by logout-all, password change, disable and role changes' }),
  active_sessions: Type.Integer()
}, { $id: 'AdminUser', additionalProperties: false })
