// Every client-visible error, one table. Codes are stable snake_case (RFC 6749 §5.2 and RFC 6750 §3.1 where those
// define one); descriptions are safe to show and never carry a token, a password or a stack.
import createError, { type FastifyErrorConstructor } from '@fastify/error'

/**
 * Retry-After of a 503 from the store (timeout, failover): short, because a timed-out rotation may in fact have been
 * applied and its retry must reach Redis inside REFRESH_REUSE_GRACE_SECONDS (checked at boot, src/config.ts).
 */
export const STORE_RETRY_AFTER_SECONDS = 2

/** retryAfterSeconds: sent as Retry-After (RFC 9110 §10.2.3); 429 always carries it, 503 falls back to a default. */
/** wwwAuthenticate: the challenge sent with a 401/403 instead of the default `Bearer error="<code>"` (RFC 6750 §3). */
export type ClientError = Error & { error: ErrorCode, statusCode: number, retryAfterSeconds?: number, wwwAuthenticate?: string }

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
  unsupportedGrantType: make('unsupported_grant_type', 400, 'This endpoint does not support that grant_type'),
  weakPassword: make('weak_password', 400, 'This password is too easy to guess; choose a longer or less predictable one'),
  invalidToken: make('invalid_token', 401, 'The access token is missing, invalid or expired'),
  csrfRejected: make('csrf_rejected', 403, 'Cookie-authenticated requests need X-Requested-With and an allowed Origin'),
  insufficientScope: make('insufficient_scope', 403, 'The access token lacks the role this needs'),
  originNotAllowed: make('origin_not_allowed', 403, 'This origin is not allowed to make cross-origin requests'),
  notFound: make('not_found', 404, 'No such resource'),
  methodNotAllowed: make('method_not_allowed', 405, 'This resource does not support that method'),
  emailTaken: make('email_taken', 409, 'An account with this email already exists'),
  requestTimeout: make('request_timeout', 408, 'The request was not received in time; the connection is closed'),
  payloadTooLarge: make('payload_too_large', 413, 'The request body is too large'),
  uriTooLong: make('uri_too_long', 414, 'The request path is too long'),
  unsupportedMediaType: make('unsupported_media_type', 415, 'Send application/json or application/x-www-form-urlencoded'),
  rateLimited: make('rate_limited', 429, 'Too many requests; retry after the number of seconds in Retry-After'),
  headersTooLarge: make('request_header_fields_too_large', 431, 'The request headers are too large'),
  temporarilyUnavailable: make('temporarily_unavailable', 503, 'The session store is unavailable; retry shortly'),
  internalError: make('internal_error', 500, 'Internal server error')
} as const

/** The codes above, for schemas and tests. */
export const ERROR_CODES = [
  'invalid_request', 'invalid_grant', 'unsupported_grant_type', 'weak_password', 'invalid_token', 'csrf_rejected',
  'insufficient_scope', 'origin_not_allowed', 'not_found', 'method_not_allowed', 'request_timeout', 'email_taken',
  'payload_too_large', 'uri_too_long', 'unsupported_media_type', 'rate_limited', 'request_header_fields_too_large',
  'temporarily_unavailable', 'internal_error'
] as const
export type ErrorCode = typeof ERROR_CODES[number]

/** The error with a Retry-After of `seconds` (at least 1: a 0 would invite an immediate retry storm). */
export function withRetryAfter (err: ClientError, seconds: number): ClientError {
  return Object.assign(err, { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) })
}

/** The error with its own WWW-Authenticate challenge (e.g. another realm). */
export function withChallenge (err: ClientError, challenge: string): ClientError {
  return Object.assign(err, { wwwAuthenticate: challenge })
}

export function isClientError (err: unknown): err is ClientError {
  return err instanceof Error && (ERROR_CODES as readonly string[]).includes((err as { error?: string }).error ?? '')
}
