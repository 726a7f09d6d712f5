// openapi.yaml is generated from the route schemas and committed; it must not drift and must be a valid document.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { validate } from '@readme/openapi-parser'
import { parse } from 'yaml'
import { generateOpenApi, OPENAPI_PATH } from '../scripts/openapi.js'

type Operation = { responses: Record<string, { description: string, content?: Record<string, { schema: { $ref?: string } }> }> }

t.test('matches what the app generates (run `npm run openapi` after changing a route)', async (t) => {
  t.equal(readFileSync(OPENAPI_PATH, 'utf8'), await generateOpenApi())
})

t.test('passes an OpenAPI 3.1 validator', async (t) => {
  const result = await validate(parse(readFileSync(OPENAPI_PATH, 'utf8')))
  t.same(result.valid ? [] : result.errors, [], 'no validation errors')
  t.ok(result.valid)
})

t.test('documents every route with named schemas and described responses', async (t) => {
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, Operation>> }
  const expected = ['/auth/register', '/auth/token', '/auth/refresh', '/auth/logout', '/auth/logout-all', '/auth/sessions',
    '/auth/sessions/{id}', '/auth/password', '/me', '/.well-known/jwks.json', '/healthz', '/readyz', '/metrics',
    '/admin/users/{id}', '/admin/users/{id}/revoke-sessions', '/admin/users/{id}/disable', '/admin/users/{id}/enable',
    '/admin/users/{id}/roles']
  t.same(Object.keys(doc.paths).sort(), expected.sort())
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(op.responses)) {
        t.not(response.description, 'Default Response', `${method} ${path} ${status} is described`)
        if (Number(status) >= 400) {
          t.equal(response.content?.['application/json']?.schema.$ref, '#/components/schemas/ErrorBody', `${method} ${path} ${status} uses ErrorBody`)
        }
      }
    }
  }
  t.ok(doc.paths['/auth/logout']?.post?.responses['503'], 'store-backed routes declare 503')
  t.ok(doc.paths['/me']?.get?.responses['401'], 'bearer routes declare 401')
})
