// Delivering a token grant: JSON body for mobile/server clients, HttpOnly cookie for browsers.
// In cookie mode the refresh token never appears in the JSON body.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TokenGrant } from '../auth/auth-service.js'
import type { TokenResponseT } from '../schemas/auth.js'

export type Delivery = 'body' | 'cookie'

/** Responses that carry tokens must not be cached (RFC 6749 §5.1, RFC 9111). */
export function noStore (reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache')
}

export function sendGrant (app: FastifyInstance, reply: FastifyReply, grant: TokenGrant, delivery: Delivery): TokenResponseT {
  noStore(reply)
  const body: TokenResponseT = {
    access_token: grant.accessToken,
    token_type: 'Bearer',
    expires_in: grant.expiresIn,
    refresh_expires_in: grant.refreshExpiresIn,
    session_id: grant.sessionId
  }
  if (delivery === 'cookie') app.refreshCookie.set(reply, grant.refreshToken, grant.absoluteExpiresIn)
  else body.refresh_token = grant.refreshToken
  return body
}
