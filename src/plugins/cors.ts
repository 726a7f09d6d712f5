// CORS for browser clients on other origins (Fetch standard, CORS protocol; OWASP HTML5 Security: CORS), with
// @fastify/cors: exactly the ALLOWED_ORIGINS, with credentials, the methods the routes serve, and the response headers
// a client needs to act on (Retry-After, WWW-Authenticate, Date, the rate-limit headers). A preflight from any other
// origin is refused with 403 origin_not_allowed, so no browser reads a success into it; an OPTIONS request that is
// not a preflight is a method we do not serve (405). Same-origin pages need no CORS, and `trustedOrigin` accepts them
// for the CSRF Origin check without being listed.
import fp from 'fastify-plugin'
import cors from '@fastify/cors'
import type { FastifyRequest } from 'fastify'
import { errors } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether a request's Origin is listed in ALLOWED_ORIGINS or is the request's own origin. */
    trustedOrigin: (request: FastifyRequest, origin: string) => boolean
  }
}

export const EXPOSED_HEADERS = ['Date', 'Retry-After', 'WWW-Authenticate', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']

/**
 * The origin this request was addressed to: scheme and Host as the client used them, through TRUST_PROXY's
 * X-Forwarded-Proto and X-Forwarded-Host (untrusted peers cannot set those). A browser always sends the Host of the
 * URL it requests, so an Origin equal to it says the page and the target are one origin (RFC 6454 §5).
 */
export function requestOrigin (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`.toLowerCase()
}

export default fp(async (app) => {
  const allowed = new Set(app.config.allowedOrigins)
  app.decorate('trustedOrigin', (request: FastifyRequest, origin: string) => allowed.has(origin) ||
    (request.headers.host !== undefined && origin.toLowerCase() === requestOrigin(request)))

  // Before @fastify/cors's own hook, which would answer any preflight with 204 (without Allow-Origin for a stranger).
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'OPTIONS') return done()
    const origin = request.headers.origin
    if (origin === undefined || request.headers['access-control-request-method'] === undefined) return reply.callNotFound()
    if (!allowed.has(origin)) return done(errors.originNotAllowed())
    if (app.routeTable.methodsFor(request.url).length === 0) return reply.callNotFound()
    done()
  })
  await app.register(cors, {
    origin: allowed.size > 0 ? [...allowed] : false,
    credentials: true,
    // The route table's live list: complete once the routes have registered, before the first preflight.
    methods: app.routeTable.methods,
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Requested-With'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600
  })
}, { name: 'cors', dependencies: ['config', 'route-table', 'error-handler'] })
