// Every client-visible error, one table. Codes are stable snake_case (RFC 6749 §5.2 and RFC 6750 §3.1 where those
// define one); descriptions are safe to show and never carry a token, a password or a stack.
import createError, { type FastifyErrorConstructor } from '@fastify/error'

/** retryAfterSeconds: sent as Retry-After (RFC 9110 §10.2.3); 429 always carries it, 503 falls back to a default. */
export type ClientError = Error & { error: ErrorCode, statusCode: number, retryAfterSeconds?: number }

/**
 * A factory per code: `throw errors.invalidGrant()` or with a more precise, still safe, description.
 * @fastify/error upper-cases `code` (ROTOR_INVALID_GRANT); the wire code is kept as-is in `error`.
 */
function make (error: ErrorCode, statusCode: number, message: string): (description?: string) => ClientError {
  const Ctor: FastifyErrorConstructor<{ code: string, statusCode: number }, [string]> = createError(`ROTOR_${error}`, '%s', statusCode)
  return (description?: string) => Object.assign(new Ctor(description ?? message), { error })
}

export const errors = {
  invalidRequest: make('invalid_request', 400, 'The request is malformed'),
  invalidGrant: make('invalid_grant', 400, 'The credentials or refresh token are invalid, expired or revoked'),
  weakPassword: make('weak_password', 400, 'This password is too easy to guess; choose a longer or less predictable one'),
  invalidToken: make('invalid_token', 401, 'The access token is missing, invalid or expired'),
  csrfRejected: make('csrf_rejected', 403, 'Cookie-authenticated requests need X-Requested-With and an allowed Origin'),
  insufficientScope: make('insufficient_scope', 403, 'The access token lacks the role this needs'),
  notFound: make('not_found', 404, 'No such resource'),
  emailTaken: make('email_taken', 409, 'An account with this email already exists'),
  requestTimeout: make('request_timeout', 408, 'The request was not received in time; the connection is closed'),
  payloadTooLarge: make('payload_too_large', 413, 'The request body is too large'),
  unsupportedMediaType: make('unsupported_media_type', 415, 'Send application/json or application/x-www-form-urlencoded'),
  rateLimited: make('rate_limited', 429, 'Too many requests; retry after the number of seconds in Retry-After'),
  temporarilyUnavailable: make('temporarily_unavailable', 503, 'The session store is unavailable; retry shortly'),
  internalError: make('internal_error', 500, 'Internal server error')
} as const

/** The codes above, for schemas and tests. */
export const ERROR_CODES = [
  'invalid_request', 'invalid_grant', 'weak_password', 'invalid_token', 'csrf_rejected', 'insufficient_scope', 'not_found',
  'email_taken', 'request_timeout', 'payload_too_large', 'unsupported_media_type', 'rate_limited', 'temporarily_unavailable', 'internal_error'
] as const
export type ErrorCode = typeof ERROR_CODES[number]

/** The error with a Retry-After of `seconds` (at least 1: a 0 would invite an immediate retry storm). */
export function withRetryAfter (err: ClientError, seconds: number): ClientError {
  return Object.assign(err, { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) })
}

export function isClientError (err: unknown): err is ClientError {
  return err instanceof Error && (ERROR_CODES as readonly string[]).includes((err as { error?: string }).error ?? '')
}
