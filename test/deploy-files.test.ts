// docker-compose.yml cannot run here (no Docker engine), so its structure is checked against the code instead.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { EnvSchema } from '../src/config.js'

type Service = { environment?: Record<string, string>, command?: string[], depends_on?: Record<string, unknown>, build?: string }
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> }

t.test('configures the service only with variables the config schema knows', async (t) => {
  const known = new Set(Object.keys(EnvSchema.properties))
  const env = compose.services.rotor?.environment ?? {}
  t.ok(Object.keys(env).length > 0)
  for (const name of Object.keys(env)) t.ok(known.has(name), `${name} is a Rotor variable`)
  t.equal(env.NODE_ENV, 'production', 'compose runs the production profile')
  t.match(env.REDIS_URL, /^redis:\/\/redis:6379$/, 'points at the compose Redis')
})

t.test('runs Redis with persistence and without eviction, and starts Rotor after it is healthy', async (t) => {
  const redis = compose.services.redis!
  t.ok(redis.command?.includes('noeviction'), 'maxmemory-policy noeviction')
  t.ok(redis.command?.includes('--appendonly'), 'AOF persistence')
  t.same(compose.services.rotor?.depends_on, { redis: { condition: 'service_healthy' } })
})

t.test('builds an image whose command exists in the build output', async (t) => {
  const dockerfile = readFileSync('Dockerfile', 'utf8')
  const cmd = /CMD \["node", "([^"]+)"\]/.exec(dockerfile)?.[1]
  t.equal(cmd, 'dist/server.js')
  t.ok(existsSync(cmd!), 'npm test builds first, so the entry point is there')
})
