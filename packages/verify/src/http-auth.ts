// RFC 6750 §3 answers for any framework: 401 with `WWW-Authenticate: Bearer` (no error code when the request has no
// token, §3.1; error="invalid_token" for a bad one), 403 error="insufficient_scope" for a missing role, 400
// invalid_request for two Authorization headers. The body is Rotor's error shape { error, error_description }.
// A token that cannot be judged right now (no keys yet, or the feed down past its bound with onFeedDown 'reject')
// is 503 with Retry-After, not 401: the token may be fine, and a 401 would send clients to refresh for nothing.
import { parseBearer } from './bearer.js'
import type { AccessClaims, RejectReason } from './claims.js'

/** Node's IncomingHttpHeaders, a plain record, or a fetch API Headers object. */
export type HeadersLike = { get (name: string): string | null } | Record<string, string | string[] | undefined>

export interface AuthFailure {
  ok: false
  status: 400 | 401 | 403 | 503
  /** The WWW-Authenticate value to send, when there is one. */
  wwwAuthenticate: string | undefined
  /** Retry-After in seconds, for a 503. */
  retryAfterSeconds: number | undefined
  /** The reason for logs and metrics; not for the client. */
  reason: RejectReason | 'missing' | 'bad_header' | 'insufficient_scope'
  error: { error: string, error_description: string }
}
export type AuthResult = { ok: true, claims: AccessClaims, degraded: boolean } | AuthFailure

export interface TokenJudge { verify (token: string): { ok: true, claims: AccessClaims, degraded: boolean } | { ok: false, reason: RejectReason } }

export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5

const DESCRIPTIONS: Partial<Record<RejectReason, string>> = {
  expired: 'The access token has expired',
  revoked: 'The session has been revoked'
}

function failure (status: AuthFailure['status'], reason: AuthFailure['reason'], error: string, description: string, challenge: boolean): AuthFailure {
  return {
    ok: false,
    status,
    wwwAuthenticate: !challenge ? undefined : reason === 'missing' ? 'Bearer' : `Bearer error="${error}", error_description="${description}"`,
    retryAfterSeconds: status === 503 ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined,
    reason,
    error: { error, error_description: description }
  }
}

const headerOf = (headers: HeadersLike): string | string[] | undefined | null =>
  typeof headers.get === 'function' ? (headers as { get (name: string): string | null }).get('authorization') : (headers as Record<string, string | string[] | undefined>).authorization

export const missingToken = (): AuthFailure => failure(401, 'missing', 'invalid_token', 'The access token is missing', true)
export const twoAuthorizationHeaders = (): AuthFailure =>
  failure(400, 'bad_header', 'invalid_request', 'Send exactly one Authorization header (RFC 6750 §2)', true)

/** Judge a request by its Authorization header. Synchronous once the verifier is ready. */
export function authenticateHeaders (judge: TokenJudge, headers: HeadersLike): AuthResult {
  const header = headerOf(headers)
  if (header === undefined || header === null) return missingToken()
  // A fetch Headers object joins repeated headers with ", "; Node's record keeps the first only (the Fastify plugin
  // checks the raw list). Either way, two credentials are one too many (RFC 6750 §2).
  if (Array.isArray(header) || (typeof headers.get === 'function' && header.includes(','))) {
    return twoAuthorizationHeaders()
  }
  const token = parseBearer(header)
  if (token === undefined) return failure(401, 'bad_header', 'invalid_token', 'Send the access token as: Authorization: Bearer <token>', true)
  const result = judge.verify(token)
  if (result.ok) return result
  if (result.reason === 'feed_down' || result.reason === 'not_ready') {
    return failure(503, result.reason, 'temporarily_unavailable', 'Access tokens cannot be checked right now; retry shortly', false)
  }
  return failure(401, result.reason, 'invalid_token', DESCRIPTIONS[result.reason] ?? 'The access token is missing, invalid or expired', true)
}

/** 403 insufficient_scope (RFC 6750 §3.1) unless the claims carry the role; undefined when they do. */
export function checkRole (claims: AccessClaims, role: string): AuthFailure | undefined {
  if (claims.roles.includes(role)) return undefined
  return failure(403, 'insufficient_scope', 'insufficient_scope', 'The access token lacks the role this needs', true)
}
