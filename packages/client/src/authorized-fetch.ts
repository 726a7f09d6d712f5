// Requests to your API with the access token attached (RFC 6750 §2.1), on their own or as openapi-fetch middleware.
// A `401 invalid_token` (the token expired early, was revoked, or the clock was off) refreshes once and retries once;
// any other answer is the caller's.
import { isInvalidToken } from './transport.js'

export interface AuthorizedFetchOptions {
  /** Relative URLs resolve against this where there is no page location (Node, React Native). */
  baseUrl: string
  fetch: typeof globalThis.fetch
  getAccessToken: () => Promise<string>
  /** Called with the token that was refused; resolves once a newer one is there. */
  refreshAfter: (refused: string) => Promise<void>
}

export interface AuthorizedFetch {
  fetch (input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** One retry of `request` (unsent copy) after `response` refused `token`; `response` itself when it did not. */
  retryIfRefused (request: Request, token: string, response: Response, send: typeof globalThis.fetch): Promise<Response>
}

/** Shaped like openapi-fetch's `Middleware` (onRequest / onResponse), without depending on it. */
export interface RotorMiddleware {
  onRequest (params: { request: Request, id: string }): Promise<Request>
  onResponse (params: { request: Request, response: Response, id: string, options: { fetch: typeof globalThis.fetch } }): Promise<Response>
  onError (params: { id: string, error: unknown }): undefined
}

function withBearer (request: Request, token: string): Request {
  const headers = new Headers(request.headers)
  headers.set('authorization', `Bearer ${token}`)
  return new Request(request, { headers })
}

function absolute (input: string | URL | Request, baseUrl: string): string | URL | Request {
  const hasLocation = (globalThis as { location?: unknown }).location !== undefined
  if (typeof input !== 'string' || hasLocation || /^[a-z][a-z0-9+.-]*:/i.test(input)) return input
  return new URL(input, baseUrl)
}

export function createAuthorizedFetch (options: AuthorizedFetchOptions): AuthorizedFetch {
  async function retryIfRefused (copy: Request, token: string, response: Response, send: typeof globalThis.fetch): Promise<Response> {
    if (!(await isInvalidToken(response))) return response
    await options.refreshAfter(token)
    // Answered by a second 401 too, it is the caller's to see: no loop.
    return send(withBearer(copy, await options.getAccessToken()))
  }
  return {
    retryIfRefused,
    async fetch (input, init) {
      const request = new Request(absolute(input, options.baseUrl), init)
      const copy = request.clone() // the body of a retried request must still be unread
      const token = await options.getAccessToken()
      const response = await options.fetch(withBearer(request, token))
      return retryIfRefused(copy, token, response, options.fetch)
    }
  }
}

/**
 * openapi-fetch calls onRequest, sends, then onResponse. The request is copied before it is sent so that a retry can
 * still send its body; the copy is dropped when the answer (or the error) arrives.
 */
export function createMiddleware (authorized: AuthorizedFetch, getAccessToken: () => Promise<string>): RotorMiddleware {
  const pending = new Map<string, { copy: Request, token: string }>()
  return {
    async onRequest ({ request, id }) {
      const token = await getAccessToken()
      const signed = withBearer(request, token)
      pending.set(id, { copy: signed.clone(), token })
      return signed
    },
    async onResponse ({ response, id, options }) {
      const entry = pending.get(id)
      pending.delete(id)
      if (entry === undefined) return response
      return authorized.retryIfRefused(entry.copy, entry.token, response, options.fetch)
    },
    onError ({ id }) { pending.delete(id); return undefined }
  }
}
