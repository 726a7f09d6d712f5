// grant_type on the token endpoints (RFC 6749 §4.3.2, §6). Each endpoint serves one grant, named by its path, so the
// parameter is optional (first-party clients need not send it); when sent it must name that grant. A value the
// endpoint does not serve is 400 unsupported_grant_type (RFC 6749 §5.2), checked before the rest of the body so a
// client learns that first; a repeated or non-string grant_type is a malformed request (invalid_request, by the
// schema: RFC 6749 §3.1 forbids repeating a parameter).
import type { FastifyRequest } from 'fastify'
import { errors } from '../errors.js'

export type GrantType = 'password' | 'refresh_token'

/** A preValidation hook: unsupported_grant_type for another grant; an empty value counts as absent (RFC 6749 §3.1). */
export function checkGrantType (grant: GrantType) {
  return async (request: FastifyRequest): Promise<void> => {
    const body = request.body
    if (body === null || typeof body !== 'object') return
    const fields = body as { grant_type?: unknown }
    if (fields.grant_type === '') delete fields.grant_type
    else if (typeof fields.grant_type === 'string' && fields.grant_type !== grant) {
      throw errors.unsupportedGrantType(`This endpoint serves grant_type=${grant} only`)
    }
  }
}
