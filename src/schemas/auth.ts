// Request and response bodies of the /auth routes.
import { Type, type Static } from '@sinclair/typebox'
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from '../users/passwords.js'

// Lengths here bound the work done before anything is hashed; exact rules (bytes, canonical form) are in the handlers.
const Email = Type.String({ minLength: 3, maxLength: 320, description: 'Compared case-insensitively; stored trimmed, NFC, lower-cased' })
// The rule is in UTF-8 bytes (8 to 1024, checked by the server); JSON Schema counts characters (code points), so the
// schema states the nearest bounds it can: 8 bytes are at least 2 characters (4 bytes at most each), 1024 bytes at
// most 1024 characters.
export const Password = Type.String({
  minLength: Math.ceil(PASSWORD_MIN_BYTES / 4),
  maxLength: PASSWORD_MAX_BYTES,
  description: `${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} UTF-8 bytes (not characters), used exactly as sent; shorter or longer is invalid_request`
})
const RefreshTokenText = Type.String({ minLength: 1, maxLength: 512, description: 'Opaque refresh token' })

/** grant_type (RFC 6749 §4.3.2, §6): optional, since each endpoint serves one grant; when sent, that grant. */
const grantTypeField = (grant: 'password' | 'refresh_token') => Type.Optional(Type.Literal(grant, {
  description: `Optional; when sent it must be ${grant} (another value is unsupported_grant_type, an empty one counts as absent)`
}))

export const RegisterBody = Type.Object({ email: Email, password: Password }, { $id: 'RegisterBody', additionalProperties: false })
export type RegisterBodyT = Static<typeof RegisterBody>

export const UserCreated = Type.Object({
  id: Type.String(),
  email: Type.String(),
  created_at: Type.String({ format: 'date-time' })
}, { $id: 'UserCreated', additionalProperties: false })

export const TokenBody = Type.Object({
  grant_type: grantTypeField('password'),
  email: Email,
  password: Password,
  refresh_delivery: Type.Optional(Type.Union([Type.Literal('body'), Type.Literal('cookie')], {
    description: 'body (default, mobile and server clients) or cookie (browsers: HttpOnly __Secure- cookie scoped to /auth)'
  }))
}, { $id: 'TokenBody', additionalProperties: false })
export type TokenBodyT = Static<typeof TokenBody>

export const RefreshBody = Type.Object({
  grant_type: grantTypeField('refresh_token'),
  refresh_token: Type.Optional(RefreshTokenText)
}, { $id: 'RefreshBody', additionalProperties: false, description: 'Omit refresh_token (or the body) to use the cookie' })
export type RefreshBodyT = Static<typeof RefreshBody>

export const LogoutBody = Type.Object({
  refresh_token: Type.Optional(RefreshTokenText)
}, { $id: 'LogoutBody', additionalProperties: false, description: 'Omit refresh_token (or the body) to use the cookie or the bearer token' })
export type LogoutBodyT = Static<typeof LogoutBody>

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Access-token lifetime in seconds' }),
  refresh_token: Type.Optional(Type.String({ description: 'Only in body delivery; never in cookie mode' })),
  refresh_expires_in: Type.Integer({ description: 'Seconds until the refresh token expires if unused (idle timeout, capped by the absolute lifetime)' }),
  session_id: Type.String({ description: 'The refresh-token family; the sid claim of the access token' })
}, { $id: 'TokenResponse', additionalProperties: false })
export type TokenResponseT = Static<typeof TokenResponse>
