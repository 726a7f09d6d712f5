// Configuration is validated once at boot and fails closed: a bad value stops the process with one line that names
// the variable and never echoes a secret (ASVS 13.3.1, OWASP Secrets Management). Development secrets are generated
// into a state dir with a loud warning; production refuses to start without real ones.
import t from 'tap'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../src/config.js'
import { configError } from './config-assert.js'
import { resolveKeySet, resolveRefreshSecret } from '../src/dev-secrets.js'
import { generateKeySetJson } from '../src/tokens/key-set.js'

// Only what is used here: a subtest's `t` is not assignable to the root TAP type.
type Test = Pick<typeof t, 'ok' | 'fail' | 'teardown'>

const SECRET = 'a-refresh-secret-that-is-long-enough-0123'

function stateDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('applies documented defaults when the environment is empty', async (t) => {
  const config = loadConfig({})
  t.equal(config.port, 3000)
  t.equal(config.redis.url, 'redis://127.0.0.1:6379')
  t.equal(config.jwt.accessTokenTtlSeconds, 900)
  t.equal(config.refresh.reuseGraceSeconds, 10)
  t.equal(config.refresh.idleTtlSeconds, 7 * 24 * 3600)
  t.equal(config.refresh.absoluteTtlSeconds, 30 * 24 * 3600)
  t.equal(config.cookieSecure, true, 'cookies are Secure unless explicitly turned off')
})

t.test('rejects each invalid value with a single-line message naming the variable', async (t) => {
  const cases: Array<[string, Record<string, string>]> = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['REFRESH_REUSE_GRACE_SECONDS', { REFRESH_REUSE_GRACE_SECONDS: '61' }],
    // A timed-out rotation may have been applied: its retry, Retry-After later, must still fall inside the window.
    ['REFRESH_REUSE_GRACE_SECONDS', { REFRESH_REUSE_GRACE_SECONDS: '3' }],
    ['REFRESH_REUSE_GRACE_SECONDS', { REFRESH_REUSE_GRACE_SECONDS: '10', REDIS_COMMAND_TIMEOUT_MS: '8000' }],
    // Only asymmetric algorithms: a shared HMAC key would let every verifier mint tokens (RFC 8725 §3.1).
    ['JWT_ALG', { JWT_ALG: 'HS256' }],
    // Braces would turn part of the prefix into a Redis Cluster hash tag and break per-user slot routing.
    ['REDIS_KEY_PREFIX', { REDIS_KEY_PREFIX: '{rotor}:' }],
    ['REFRESH_TOKEN_SECRET', { REFRESH_TOKEN_SECRET: 'too-short-secret' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://app.example.com/login' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'garbage' }],
    ['REFRESH_IDLE_TTL_SECONDS', { REFRESH_IDLE_TTL_SECONDS: '7200', REFRESH_ABSOLUTE_TTL_SECONDS: '3600' }],
    // The replay count is one byte of the family record: a limit above 255 would never be reached.
    ['REFRESH_GRACE_MAX_REPLAYS', { REFRESH_GRACE_MAX_REPLAYS: '256' }]
  ]
  for (const [variable, env] of cases) {
    const message = configError(t, env)
    t.match(message, variable, `${JSON.stringify(env)} names ${variable}`)
    t.notMatch(message, /\n/, `${variable}: one line`)
  }
})

t.test('never echoes the refresh secret in its error message', async (t) => {
  const tooShort = 'sup3r-s3cret-but-short'
  const message = configError(t, { REFRESH_TOKEN_SECRET: tooShort })
  t.match(message, 'REFRESH_TOKEN_SECRET')
  t.notMatch(message, tooShort)
})

t.test('refuses COOKIE_SECURE=false in production but allows it in development', async (t) => {
  t.match(configError(t, { NODE_ENV: 'production', COOKIE_SECURE: 'false' }), 'COOKIE_SECURE')
  t.equal(loadConfig({ NODE_ENV: 'development', COOKIE_SECURE: 'false' }).cookieSecure, false)
})

t.test('in production refuses to start without JWT_KEYS', async (t) => {
  const config = loadConfig({ NODE_ENV: 'production', REFRESH_TOKEN_SECRET: SECRET })
  const dir = stateDir(t)
  await t.rejects(resolveKeySet(config, dir, () => {}), { name: 'ConfigError', message: /JWT_KEYS/ })
  t.same(readdirSync(dir), [], 'no development key is written in production')
})

t.test('in production refuses to start without REFRESH_TOKEN_SECRET', async (t) => {
  const config = loadConfig({ NODE_ENV: 'production', JWT_KEYS: await generateKeySetJson('EdDSA') })
  t.throws(() => resolveRefreshSecret(config, stateDir(t), () => {}), { name: 'ConfigError', message: /REFRESH_TOKEN_SECRET/ })
})

t.test('in development generates keys and a secret into the state dir with a warning, then reuses them', async (t) => {
  const dir = stateDir(t)
  const config = loadConfig({ NODE_ENV: 'development' })
  const warnings: string[] = []
  const warn = (message: string) => { warnings.push(message) }

  const first = await resolveKeySet(config, dir, warn)
  const secret = resolveRefreshSecret(config, dir, warn)
  t.ok(secret.length >= 32, 'a full-strength secret')
  t.equal(warnings.length, 2)
  t.match(warnings[0], /DEVELOPMENT SIGNING KEYS/)
  t.match(warnings[1], /DEVELOPMENT REFRESH_TOKEN_SECRET/)
  t.equal(readdirSync(dir).length, 2, 'one key file and one secret file')

  // A restart must keep sessions and access tokens valid: same files, same kid, same secret.
  const second = await resolveKeySet(config, dir, warn)
  t.equal(second.signing.kid, first.signing.kid)
  t.equal(resolveRefreshSecret(config, dir, warn), secret)
  t.equal(readdirSync(dir).length, 2, 'nothing new written')
})

t.test('rejects JWT_KEYS that is not JSON without echoing it', async (t) => {
  const garbage = '{"keys":[{"d":"c2VjcmV0LWtleS1tYXRlcmlhbA"' // truncated: a paste gone wrong
  const config = loadConfig({ NODE_ENV: 'production', JWT_KEYS: garbage, REFRESH_TOKEN_SECRET: SECRET })
  const err = await resolveKeySet(config, stateDir(t), () => {}).catch((e: unknown) => e)
  t.ok(err instanceof ConfigError)
  t.match((err as Error).message, 'JWT_KEYS')
  t.notMatch((err as Error).message, 'c2VjcmV0LWtleS1tYXRlcmlhbA')
})

t.test('rejects a JWT_KEYS key on the wrong curve without echoing key material', async (t) => {
  // A P-256 key labelled EdDSA: the alg must match the key type, never be taken on trust (RFC 8725 §3.1).
  const p256 = JSON.parse(await generateKeySetJson('ES256')) as { keys: Array<Record<string, string>> }
  const key = p256.keys[0]!
  const mislabelled = JSON.stringify({ keys: [{ ...key, alg: 'EdDSA' }] })
  const config = loadConfig({ NODE_ENV: 'production', JWT_KEYS: mislabelled, REFRESH_TOKEN_SECRET: SECRET })
  const err = await resolveKeySet(config, stateDir(t), () => {}).catch((e: unknown) => e)
  t.ok(err instanceof ConfigError)
  const message = (err as Error).message
  t.match(message, 'JWT_KEYS')
  t.notMatch(message, /\n/)
  for (const member of ['d', 'x', 'y'] as const) t.notMatch(message, key[member]!, `does not echo "${member}"`)
})
