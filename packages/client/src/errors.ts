// What the client throws. Each says whether the session is gone (SignedOutError) or only out of reach for now
// (TemporarilyUnavailableError): the second never signs anyone out.

/** An answer from Rotor the client cannot act on (a misconfiguration such as csrf_rejected, or a 4xx of a route). */
export class RotorError extends Error {
  override readonly name: string = 'RotorError'
  /** The HTTP status, or 0 when no answer arrived. */
  readonly status: number
  /** Rotor's stable error code (`error` of the body), when it sent one. */
  readonly code: string | undefined

  constructor (message: string, status: number, code?: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** There is no session: never signed in, signed out, or the refresh token was refused (`invalid_grant`). */
export class SignedOutError extends RotorError {
  override readonly name = 'SignedOutError'
  constructor (message = 'Not signed in') { super(message, 0, 'signed_out') }
}

/**
 * Rotor could not be reached or asked to wait (429, 503 or another 5xx, a network error or a timeout): the session
 * is kept and the client retries after `retryAfterMs` by itself (RFC 9110 §10.2.3 Retry-After, RFC 6585 §4).
 */
export class TemporarilyUnavailableError extends RotorError {
  override readonly name = 'TemporarilyUnavailableError'
  readonly retryAfterMs: number
  constructor (message: string, status: number, retryAfterMs: number, code?: string) {
    super(message, status, code)
    this.retryAfterMs = retryAfterMs
  }
}
