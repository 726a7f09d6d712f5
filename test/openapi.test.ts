// openapi.yaml is generated from the route schemas and committed; it must not drift and must be a valid document.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { validate } from '@readme/openapi-parser'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { parse } from 'yaml'
import { generateOpenApi, OPENAPI_PATH } from '../scripts/openapi.js'
import { buildTestApp } from './helper.js'

type Operation = {
  operationId?: string
  security?: Array<Record<string, unknown>>
  responses: Record<string, { description: string, headers?: Record<string, unknown>, content?: Record<string, { schema: { $ref?: string } }> }>
}
type Doc = { paths: Record<string, Record<string, Operation>> }

t.test('matches what the app generates (run `npm run openapi` after changing a route)', async (t) => {
  t.equal(readFileSync(OPENAPI_PATH, 'utf8'), await generateOpenApi())
})

t.test('passes an OpenAPI 3.1 validator', async (t) => {
  const result = await validate(parse(readFileSync(OPENAPI_PATH, 'utf8')))
  t.same(result.valid ? [] : result.errors, [], 'no validation errors')
  t.ok(result.valid)
})

t.test('passes redocly\'s recommended ruleset with no error and no warning', async (t) => {
  // Every rule of `recommended` on, none turned off: a new route that lacks an operationId, a 4XX answer or a
  // security declaration fails here.
  const config = await createConfig({ extends: ['recommended'] })
  const problems = await lintFromString({ source: readFileSync(OPENAPI_PATH, 'utf8'), absoluteRef: OPENAPI_PATH, config })
  t.same(problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`), [])
})

t.test('documents as public exactly the operations that answer without credentials', async (t) => {
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as Doc
  const app = await buildTestApp(t)
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const url = path.replace('{id}', 'A'.repeat(22))
      const res = await app.inject({ method: method.toUpperCase() as 'GET', url, payload: method === 'get' ? undefined : {} })
      const bearerOnly = op.security?.length === 1 && 'bearerAuth' in op.security[0]!
      if (op.security?.length === 0) t.not(res.statusCode, 401, `${method} ${path} is public (security: [])`)
      else if (bearerOnly) t.equal(res.statusCode, 401, `${method} ${path} needs a bearer token`)
      else t.ok(op.security?.some((s) => Object.keys(s).length === 0), `${method} ${path} lists an anonymous alternative`)
    }
  }
})

t.test('documents the rate-limit headers the limited routes send', async (t) => {
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as Doc
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/auth/token', payload: {} })
  t.ok(res.headers['x-ratelimit-remaining'] !== undefined, 'the limiter sends them')
  for (const path of ['/auth/register', '/auth/token', '/auth/refresh']) {
    for (const [status, response] of Object.entries(doc.paths[path]!.post!.responses)) {
      if (status !== '4XX') t.ok(response.headers?.['X-RateLimit-Remaining'], `${path} ${status}`)
    }
  }
  t.notOk(doc.paths['/me']!.get!.responses['200']!.headers?.['X-RateLimit-Remaining'], 'not on routes without a limit')
})

t.test('documents every route with named schemas and described responses', async (t) => {
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as Doc
  const expected = ['/auth/register', '/auth/token', '/auth/refresh', '/auth/logout', '/auth/logout-all', '/auth/sessions',
    '/auth/sessions/{id}', '/auth/password', '/me', '/.well-known/jwks.json', '/healthz', '/readyz', '/metrics',
    '/admin/users/{id}', '/admin/users/{id}/revoke-sessions', '/admin/users/{id}/disable', '/admin/users/{id}/enable',
    '/admin/users/{id}/roles', '/.well-known/oauth-authorization-server', '/revocations/stream', '/revocations']
  t.same(Object.keys(doc.paths).sort(), expected.sort())
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(op.responses)) {
        t.not(response.description, 'Default Response', `${method} ${path} ${status} is described`)
        if (status.startsWith('4') || status.startsWith('5')) {
          t.equal(response.content?.['application/json']?.schema.$ref, '#/components/schemas/ErrorBody', `${method} ${path} ${status} uses ErrorBody`)
        }
      }
    }
  }
  t.ok(doc.paths['/auth/logout']?.post?.responses['503'], 'store-backed routes declare 503')
  t.ok(doc.paths['/me']?.get?.responses['401'], 'bearer routes declare 401')
  t.match(doc.paths['/admin/users/{id}']?.get?.responses['403']?.description, /insufficient_scope/, 'admin 403 is the role, not CSRF')
  t.equal(doc.paths['/auth/token']?.post?.operationId, 'postAuthToken', 'operationIds derive from method and path')
})
