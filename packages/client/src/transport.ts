// Rotor's /auth routes, and what each kind of answer means for the session. One place decides it:
// only `invalid_grant` ends a session; a lost answer may be retried inside the grace window; 429 and 5xx wait.
import type { ServerClock } from './clock.js'
import { retryAfterMs } from './clock.js'
import { RotorError } from './errors.js'

export type Delivery = 'cookie' | 'body'

/** A token answer (`200` of /auth/token and /auth/refresh), with its expiry on the server's clock. */
export interface Grant {
  accessToken: string
  /** Only with body delivery: with cookie delivery the refresh token stays in the HttpOnly cookie. */
  refreshToken: string | undefined
  sessionId: string
  expiresAtServerMs: number
}

export type Outcome =
  | { kind: 'granted', grant: Grant }
  /** The refresh token or the credentials were refused: the session is gone (RFC 6749 §5.2). */
  | { kind: 'invalid_grant' }
  /** No answer, or one from a gateway that may have forwarded the request: Rotor may have acted on it. */
  | { kind: 'lost', status: number, message: string }
  /** Rotor (or what is in front of it) asked to wait: the session is kept. */
  | { kind: 'unavailable', status: number, retryAfterMs: number | undefined, code: string | undefined }
  | { kind: 'refused', error: RotorError }

export interface TransportOptions {
  baseUrl: string
  delivery: Delivery
  fetch: typeof globalThis.fetch
  clock: ServerClock
  localNowMs: () => number
  requestTimeoutMs: number
}

/**
 * Cookie delivery: the browser sends and stores the HttpOnly cookie (`credentials: 'include'`); the client never reads
 * it. Rotor acts on a cookie only with a non-empty X-Requested-With, a header no cross-site form can send without a
 * CORS preflight (OWASP CSRF Prevention Cheat Sheet, custom request headers).
 */
export function authInit (options: TransportOptions, body: object | undefined, bearer?: string): RequestInit {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  const init: RequestInit = { method: 'POST', headers, cache: 'no-store' }
  if (body !== undefined) init.body = JSON.stringify(body)
  if (options.delivery === 'cookie') {
    headers['x-requested-with'] = 'XMLHttpRequest'
    init.credentials = 'include'
  }
  return init
}

export function authUrl (options: TransportOptions, path: string): string {
  return new URL(path, options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`).toString()
}

/** POST to one of the /auth routes; never throws for a network failure (that is `lost`). */
export async function post (options: TransportOptions, path: string, body: object | undefined, bearer?: string): Promise<{ response?: Response, outcome?: Outcome }> {
  try {
    const init = authInit(options, body, bearer)
    init.signal = AbortSignal.timeout(options.requestTimeoutMs)
    const response = await options.fetch(authUrl(options, path.replace(/^\//, '')), init)
    options.clock.observe(response.headers.get('date'), options.localNowMs())
    return { response }
  } catch (err) {
    return { outcome: { kind: 'lost', status: 0, message: err instanceof Error ? err.message : String(err) } }
  }
}

async function errorCode (response: Response): Promise<{ code?: string, description?: string }> {
  try {
    const body = await response.json() as { error?: unknown, error_description?: unknown }
    return {
      ...(typeof body.error === 'string' ? { code: body.error } : {}),
      ...(typeof body.error_description === 'string' ? { description: body.error_description } : {})
    }
  } catch {
    return {}
  }
}

/** Classify a token answer. 502 and 504 come from a gateway that may have delivered the request: a lost answer. */
export async function tokenOutcome (options: TransportOptions, response: Response): Promise<Outcome> {
  const { status } = response
  if (status === 200) {
    const body = await response.json() as { access_token: string, expires_in: number, refresh_token?: string, session_id: string }
    return {
      kind: 'granted',
      grant: {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        sessionId: body.session_id,
        expiresAtServerMs: options.clock.nowMs() + body.expires_in * 1000
      }
    }
  }
  if (status === 502 || status === 504) return { kind: 'lost', status, message: `gateway answered ${status}` }
  const wait = retryAfterMs(response.headers.get('retry-after'), options.clock.nowMs())
  const { code, description } = await errorCode(response)
  if (status === 429 || status >= 500) return { kind: 'unavailable', status, retryAfterMs: wait, code }
  if (code === 'invalid_grant') return { kind: 'invalid_grant' }
  return { kind: 'refused', error: new RotorError(description ?? `Rotor answered ${status}`, status, code) }
}

/** An answer that says the access token was refused (RFC 6750 §3: `WWW-Authenticate: Bearer error="invalid_token"`). */
export async function isInvalidToken (response: Response): Promise<boolean> {
  if (response.status !== 401) return false
  const challenge = response.headers.get('www-authenticate')
  if (challenge !== null) return /error="?invalid_token"?/i.test(challenge)
  // A cross-origin API that does not expose WWW-Authenticate: read the error body (of a copy).
  return (await errorCode(response.clone())).code === 'invalid_token'
}
