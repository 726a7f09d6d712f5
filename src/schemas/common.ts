// Shared schemas: the error body and health documents.
import { Type, type Static } from '@sinclair/typebox'
import { ERROR_CODES, type ErrorCode } from '../errors.js'

export const ErrorBody = Type.Object({
  // A plain string enum: simpler for generated clients than anyOf-of-consts, and fast to serialise.
  error: Type.Unsafe<ErrorCode>({ type: 'string', enum: [...ERROR_CODES], description: 'Stable snake_case code (RFC 6749 §5.2 style)' }),
  error_description: Type.String({ description: 'Human-readable; never contains a token or a password' })
}, { $id: 'ErrorBody', additionalProperties: false })
export type ErrorBodyT = Static<typeof ErrorBody>

export const HealthStatus = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('ready')]),
  revocation_feed: Type.Optional(Type.Union([Type.Literal('starting'), Type.Literal('live'), Type.Literal('degraded')], {
    description: 'degraded: revocations made on other instances may reach this one late (up to one access-token lifetime)'
  }))
}, { $id: 'HealthStatus', additionalProperties: false })

const header = (description: string) => ({ type: 'string', description })

const ERROR_STATUS: Record<number, { description: string, headers?: Record<string, unknown> }> = {
  400: { description: 'Malformed or ambiguous request (invalid_request: e.g. two Authorization headers, a token in the URL), bad credentials / refresh token (invalid_grant), or a new password that is too common or too easy to guess (weak_password)' },
  401: {
    description: 'Missing, invalid or expired access token (invalid_token)',
    headers: { 'WWW-Authenticate': header('Bearer error="invalid_token" (RFC 6750 §3)') }
  },
  403: { description: 'A cookie-authenticated request failed the CSRF rule (csrf_rejected)' },
  404: { description: 'No such resource for this caller (not_found)' },
  409: { description: 'The email is already registered (email_taken)' },
  413: { description: 'The body is larger than BODY_LIMIT_BYTES (payload_too_large)' },
  414: { description: 'A path parameter is longer than any identifier (uri_too_long)' },
  415: { description: 'Unsupported Content-Type (unsupported_media_type)' },
  429: {
    description: 'Too many requests from this client IP, or too many failed logins for this account (rate_limited); nothing was checked',
    headers: { 'Retry-After': header('Seconds until the limit or lock ends (RFC 6585 §4)') }
  },
  503: {
    description: 'The session store is unavailable, password hashing is saturated or the instance is overloaded (temporarily_unavailable); nothing was changed',
    headers: { 'Retry-After': header('Seconds to wait before retrying') }
  }
}

/** Declared error responses for a route: every status it can answer with, each in the ErrorBody shape. */
export function errorResponses (...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, { ...Type.Ref(ErrorBody), ...ERROR_STATUS[s] }]))
}

/** 403 on routes that need a role: the token lacks it (insufficient_scope, RFC 6750 §3.1), not the CSRF rule. */
export function roleRequired (role: string): Record<number, unknown> {
  return {
    403: {
      ...Type.Ref(ErrorBody),
      description: `The access token lacks the ${role} role (insufficient_scope)`,
      headers: { 'WWW-Authenticate': header('Bearer error="insufficient_scope" (RFC 6750 §3)') }
    }
  }
}

/** Request headers of the routes a refresh cookie can authenticate (or set): the CSRF rule's custom header. */
export const CsrfHeaders = Type.Object({
  'x-requested-with': Type.Optional(Type.String({
    description: 'Any non-empty value; required when the refresh cookie authenticates the request or cookie delivery is asked for. ' +
      'Not CORS-safelisted, so a cross-origin page must pass a preflight to send it (OWASP CSRF Prevention: custom request headers)'
  }))
})

/** A success response with a description and the headers it carries. */
export function success (schema: { $id?: string }, description: string, headers: Record<string, string> = {}): unknown {
  const ref = Type.Ref(schema as never)
  return { ...ref, description, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, header(v)])) }
}

export const TOKEN_HEADERS = {
  'Cache-Control': 'no-store (RFC 6749 §5.1)',
  'Set-Cookie': 'Cookie delivery only: the refresh token in an HttpOnly, Secure, SameSite=Strict cookie scoped to /auth'
}
