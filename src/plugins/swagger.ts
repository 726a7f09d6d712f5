// OpenAPI 3.1 document generated from the route schemas; `npm run openapi` writes it to openapi.yaml.
// Named schemas ($id) become components, so generated clients get real type names.
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import { ErrorBody, HealthStatus } from '../schemas/common.js'
import { RegisterBody, RefreshBody, TokenBody, TokenResponse, UserCreated } from '../schemas/auth.js'
import { Jwks, Me, Session, SessionList, SessionParams } from '../schemas/sessions.js'
import { AdminUser, PasswordChangeBody, RolesBody, UserParams } from '../schemas/admin.js'

export const NAMED_SCHEMAS = [ErrorBody, HealthStatus, RegisterBody, UserCreated, TokenBody, RefreshBody, TokenResponse,
  Session, SessionList, SessionParams, Me, Jwks, PasswordChangeBody, RolesBody, UserParams, AdminUser]

export default fp(async (app) => {
  for (const schema of NAMED_SCHEMAS) app.addSchema(schema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rotor',
        version: '0.1.0',
        description: 'Session and token service: first-party login, locally verifiable access tokens (RFC 9068), rotating refresh-token families.'
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (at+jwt)', description: 'Access token; admin routes need the admin role' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: '__Secure-rotor_refresh' }
        }
      }
    },
    // Cookie-mode clients post /auth/refresh and /auth/logout with no body at all.
    transformObject: (document) => {
      const { openapiObject } = document as { openapiObject: { paths?: Record<string, Record<string, unknown>> } }
      for (const path of ['/auth/refresh', '/auth/logout']) {
        const body = (openapiObject.paths?.[path]?.post as { requestBody?: { required?: boolean } } | undefined)?.requestBody
        if (body !== undefined) body.required = false
      }
      return openapiObject as never
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`)
    }
  })
}, { name: 'swagger' })
