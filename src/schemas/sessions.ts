// Bodies of /auth/sessions, /me and the JWKS document.
import { Type } from '@sinclair/typebox'

export const Session = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time', description: 'When the session ends if unused: idle timeout, capped by the absolute lifetime' }),
  user_agent: Type.String({ description: 'Summary of the User-Agent that started the session, e.g. "Chrome 126 on Windows"; other clients keep the start of theirs' }),
  ip: Type.String({ description: 'Client IP address that started the session' }),
  current: Type.Boolean({ description: 'Whether this is the session of the presented access token' })
}, { $id: 'Session', additionalProperties: false })

export const SessionList = Type.Object({ sessions: Type.Array(Type.Ref(Session)) }, { $id: 'SessionList', additionalProperties: false })

// Path parameters are inlined into each operation's parameters, not components.
export const SessionParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$', description: 'The session id (session_id of the token response)' })
}, { additionalProperties: false })

export const Me = Type.Object({
  id: Type.String({ description: 'The user id (the sub claim)' }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'From the user store; null only when degraded' }),
  session_id: Type.String({ description: 'The refresh-token family (the sid claim)' }),
  degraded: Type.Boolean({
    description: 'true: the user store could not be read, so the answer holds only what the access token does (email null); the token was still fully verified locally'
  })
}, { $id: 'Me', additionalProperties: false })

export const Jwks = Type.Object({
  keys: Type.Array(Type.Object({
    kty: Type.String(),
    crv: Type.String(),
    x: Type.String(),
    y: Type.Optional(Type.String()),
    kid: Type.String(),
    alg: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256')]),
    use: Type.Literal('sig')
  }, { additionalProperties: false }))
}, { $id: 'Jwks', additionalProperties: false })
