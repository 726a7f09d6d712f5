// OpenAPI 3.1 document generated from the route schemas; `npm run openapi` writes it to openapi.yaml, and a test lints
// it with redocly's recommended rules. Named schemas ($id) become components, so generated clients get real type
// names. What every route has in common is derived here rather than repeated in each route: an operationId from the
// method and path, `security: []` where the route declares no scheme (it is public), the rate-limit headers where the
// route has a limit, and a 4XX answer in the error shape for the client errors any request can meet.
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import type { RouteOptions } from 'fastify'
import { ErrorBody, HealthStatus } from '../schemas/common.js'
import { LogoutBody, RegisterBody, RefreshBody, TokenBody, TokenResponse, UserCreated } from '../schemas/auth.js'
import { Jwks, Me, Session, SessionList } from '../schemas/sessions.js'
import { AdminUser, PasswordChangeBody, RolesBody } from '../schemas/admin.js'
import { AuthorizationServerMetadata, RevocationEventWire, RevocationPage } from '../schemas/feed.js'

export const NAMED_SCHEMAS = [ErrorBody, HealthStatus, RegisterBody, UserCreated, TokenBody, RefreshBody, LogoutBody,
  TokenResponse, Session, SessionList, Me, Jwks, PasswordChangeBody, RolesBody, AdminUser, AuthorizationServerMetadata,
  RevocationEventWire, RevocationPage]

type RouteSchema = { operationId?: string, security?: unknown[], response?: Record<string, { headers?: Record<string, unknown> }> }
type Operation = { responses?: Record<string, unknown>, requestBody?: { required?: boolean } }

/** `POST /admin/users/:id/revoke-sessions` → `postAdminUsersByIdRevokeSessions`: stable, unique, URL-safe. */
export function operationId (method: string, url: string): string {
  const words = url.split(/[/.-]/).filter((w) => w !== '').map((w) => w.startsWith(':') ? `by-${w.slice(1)}` : w)
  return method.toLowerCase() + words.flatMap((w) => w.split('-')).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

// Sent by @fastify/rate-limit on every answer of a limited route (draft-ietf-httpapi-ratelimit-headers style).
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { type: 'integer', description: 'Requests allowed per window for this client IP' },
  'X-RateLimit-Remaining': { type: 'integer', description: 'Requests left in the current window' },
  'X-RateLimit-Reset': { type: 'integer', description: 'Seconds until the window resets' }
}

const ANY_CLIENT_ERROR = {
  description: 'Any other client error, e.g. a method the path does not serve (405 method_not_allowed, with Allow), ' +
    'headers over the size limit (431), a request that is not valid HTTP (400); always in the ErrorBody shape',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } }
}

function transformRoute ({ schema, url, route }: { schema: unknown, url: string, route: RouteOptions }) {
  const own = (schema ?? {}) as RouteSchema
  const limited = Boolean((route.config as { rateLimit?: unknown } | undefined)?.rateLimit)
  const response = own.response === undefined || !limited
    ? own.response
    : Object.fromEntries(Object.entries(own.response).map(([status, r]) => [status, { ...r, headers: { ...r.headers, ...RATE_LIMIT_HEADERS } }]))
  return {
    url,
    schema: {
      ...own,
      operationId: own.operationId ?? (typeof route.method === 'string' ? operationId(route.method, route.url) : undefined),
      security: own.security ?? [], // routes that authenticate declare their schemes
      response
    }
  }
}

export default fp(async (app) => {
  for (const schema of NAMED_SCHEMAS) app.addSchema(schema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rotor',
        version: '0.1.0',
        description: 'Session and token service: first-party login, locally verifiable access tokens (RFC 9068), rotating refresh-token families.',
        license: { name: 'MIT', identifier: 'MIT' }
      },
      // Relative: the API is wherever this document is served from (OpenAPI 3.1 §4.8.5).
      servers: [{ url: '/', description: 'This Rotor deployment' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (at+jwt)', description: 'Access token; admin routes need the admin role' },
          feedCredential: { type: 'http', scheme: 'bearer', description: 'A revocation-feed credential (REVOCATION_FEED_CREDENTIALS); not needed with REVOCATION_FEED_OPEN=true' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: '__Secure-rotor_refresh', description: 'The refresh token in browser (cookie) delivery; needs X-Requested-With' }
        }
      }
    },
    transform: transformRoute as never,
    transformObject: (document) => {
      const { openapiObject } = document as { openapiObject: { paths?: Record<string, Record<string, Operation>> } }
      for (const [path, operations] of Object.entries(openapiObject.paths ?? {})) {
        for (const operation of Object.values(operations)) {
          operation.responses = { ...operation.responses, '4XX': ANY_CLIENT_ERROR }
          // Cookie-mode clients post /auth/refresh and /auth/logout with no body at all.
          if (operation.requestBody !== undefined && (path === '/auth/refresh' || path === '/auth/logout')) operation.requestBody.required = false
        }
      }
      return openapiObject as never
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`)
    }
  })
}, { name: 'swagger' })
