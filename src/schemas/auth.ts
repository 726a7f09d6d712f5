// Request and response bodies of the /auth routes.
import { Type, type Static } from '@sinclair/typebox'
import { PASSWORD_MAX_BYTES } from '../users/passwords.js'

// Lengths here bound the work done before anything is hashed; exact rules (bytes, canonical form) are in the handlers.
const Email = Type.String({ minLength: 3, maxLength: 320, description: 'Compared case-insensitively; stored trimmed, NFC, lower-cased' })
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_BYTES, description: '8 to 1024 UTF-8 bytes, used exactly as sent' })
const RefreshTokenText = Type.String({ minLength: 1, maxLength: 512, description: 'Opaque refresh token' })

export const RegisterBody = Type.Object({ email: Email, password: Password }, { $id: 'RegisterBody', additionalProperties: false })
export type RegisterBodyT = Static<typeof RegisterBody>

export const UserCreated = Type.Object({
  id: Type.String(),
  email: Type.String(),
  created_at: Type.String({ format: 'date-time' })
}, { $id: 'UserCreated', additionalProperties: false })

export const TokenBody = Type.Object({
  email: Email,
  password: Password,
  refresh_delivery: Type.Optional(Type.Union([Type.Literal('body'), Type.Literal('cookie')], {
    description: 'body (default, mobile and server clients) or cookie (browsers: HttpOnly __Secure- cookie scoped to /auth)'
  }))
}, { $id: 'TokenBody', additionalProperties: false })
export type TokenBodyT = Static<typeof TokenBody>

export const RefreshBody = Type.Object({
  refresh_token: Type.Optional(RefreshTokenText)
}, { $id: 'RefreshBody', additionalProperties: false, description: 'Omit refresh_token (or the body) to use the cookie' })
export type RefreshBodyT = Static<typeof RefreshBody>

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Access-token lifetime in seconds' }),
  refresh_token: Type.Optional(Type.String({ description: 'Only in body delivery; never in cookie mode' })),
  refresh_expires_in: Type.Integer({ description: 'Seconds until the refresh token expires if unused (idle timeout, capped by the absolute lifetime)' }),
  session_id: Type.String({ description: 'The refresh-token family; the sid claim of the access token' })
}, { $id: 'TokenResponse', additionalProperties: false })
export type TokenResponseT = Static<typeof TokenResponse>
