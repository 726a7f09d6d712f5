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

export default fp(async (app) => {
  const { cookieSecure } = app.config
  // Browsers only accept a __Secure- cookie over HTTPS with Secure set, so plain-HTTP development drops the prefix.
  const name = cookieSecure ? '__Secure-rotor_refresh' : 'rotor_refresh'
  await app.register(cookie)
  const attributes = { path: COOKIE_PATH, httpOnly: true, secure: cookieSecure, sameSite: 'strict' as const }

  app.decorate('refreshCookie', {
    name,
    read: (request) => {
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
