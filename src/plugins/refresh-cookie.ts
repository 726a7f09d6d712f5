// The refresh-token cookie for browsers, and the CSRF rule for every request authenticated by it.
// Cookie: __Secure- prefix, HttpOnly, Secure, SameSite=Strict, Path=/auth, Max-Age within the absolute lifetime
// (RFC 6265bis §4.1.3.1; OWASP Session Management). CSRF: a non-empty X-Requested-With (a non-safelisted header,
// so cross-origin senders must pass a CORS preflight) and, when Origin is sent, an exact ALLOWED_ORIGINS match or
// the request's own origin (OWASP CSRF Prevention: custom request headers, origin verification).
import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errors } from '../errors.js'

export interface RefreshCookie {
  readonly name: string
  read (request: FastifyRequest): string | undefined
  set (reply: FastifyReply, token: string, maxAgeSeconds: number): void
  clear (reply: FastifyReply): void
  /** Throws csrf_rejected unless a cookie-authenticated request is safe to act on. */
  assertCsrfSafe (request: FastifyRequest): void
}

declare module 'fastify' {
  interface FastifyInstance { refreshCookie: RefreshCookie }
}

export const COOKIE_PATH = '/auth'

/** How many cookie-pairs of this name the Cookie header holds (RFC 6265 §4.2.1; several headers arrive joined by "; "). */
function cookieCount (header: string | undefined, name: string): number {
  if (header === undefined) return 0
  let count = 0
  for (const pair of header.split(';')) if (pair.trimStart().startsWith(`${name}=`)) count++
  return count
}

export default fp(async (app) => {
  const { cookieSecure } = app.config
  // Browsers only accept a __Secure- cookie over HTTPS with Secure set, so plain-HTTP development drops the prefix.
  const name = cookieSecure ? '__Secure-rotor_refresh' : 'rotor_refresh'
  await app.register(cookie)
  const attributes = { path: COOKIE_PATH, httpOnly: true, secure: cookieSecure, sameSite: 'strict' as const }

  app.decorate('refreshCookie', {
    name,
    read: (request) => {
      // Two cookies of our name (a second one planted by a sibling domain, say) are ambiguous: the parser would pick
      // one silently. Refused like two different tokens in the body and the cookie.
      if (cookieCount(request.headers.cookie, name) > 1) throw errors.invalidRequest('The request carries the refresh cookie more than once')
      const value = request.cookies[name]
      return value === undefined || value === '' ? undefined : value
    },
    set: (reply, token, maxAgeSeconds) => { reply.setCookie(name, token, { ...attributes, maxAge: maxAgeSeconds }) },
    clear: (reply) => { reply.clearCookie(name, attributes) },
    assertCsrfSafe: (request) => {
      const requestedWith = request.headers['x-requested-with']
      if (typeof requestedWith !== 'string' || requestedWith.trim() === '') {
        throw errors.csrfRejected('Cookie-authenticated requests must send a non-empty X-Requested-With header')
      }
      const origin = request.headers.origin
      if (origin !== undefined && !app.trustedOrigin(request, origin)) {
        throw errors.csrfRejected('The Origin of this cookie-authenticated request is not allowed')
      }
    }
  } satisfies RefreshCookie)
}, { name: 'refresh-cookie', dependencies: ['config', 'cors'] })
