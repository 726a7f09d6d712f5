// RFC 8414 metadata (values follow the configuration) and the revocation feed's configuration rules.
import t from 'tap'
import { loadConfig, ConfigError } from '../src/config.js'
import { buildTestApp, json, testKeySet } from './helper.js'
import { FEED_CREDENTIAL } from './feed-helper.js'

const METADATA = '/.well-known/oauth-authorization-server'

t.test('publishes issuer, keys, token rules and the feed, following the configuration', async (t) => {
  const app = await buildTestApp(t, {
    keySet: await testKeySet('ES256'),
    env: { JWT_ALG: 'ES256', JWT_ISSUER: 'https://auth.example.com/', JWT_AUDIENCE: 'orders-api', ACCESS_TOKEN_TTL_SECONDS: '600', REVOCATION_FEED_CREDENTIALS: FEED_CREDENTIAL }
  })
  const res = await app.inject({ url: METADATA })
  t.equal(res.statusCode, 200)
  t.match(res.headers['cache-control'], /^public, max-age=[0-9]+$/)
  t.same(json(res), {
    issuer: 'https://auth.example.com/',
    jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
    token_endpoint: 'https://auth.example.com/auth/token',
    grant_types_supported: ['password', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
    rotor_access_token_signing_alg_values_supported: ['ES256'],
    rotor_access_token_typ: 'at+jwt',
    rotor_audience: 'orders-api',
    rotor_access_token_max_lifetime_seconds: 600,
    rotor_revocation_stream_endpoint: 'https://auth.example.com/revocations/stream',
    rotor_revocation_poll_endpoint: 'https://auth.example.com/revocations'
  })
})

t.test('omits the feed members, and the feed answers 404, when the feed is disabled', async (t) => {
  const app = await buildTestApp(t)
  const body = json(await app.inject({ url: METADATA }))
  t.match(body, { issuer: 'http://localhost:3000', rotor_access_token_signing_alg_values_supported: ['EdDSA'] })
  t.notOk('rotor_revocation_stream_endpoint' in body)
  t.notOk('rotor_revocation_poll_endpoint' in body)
  for (const url of ['/revocations/stream', '/revocations']) t.equal((await app.inject({ url })).statusCode, 404, url)
})

t.test('feed configuration: enabled by credentials or OPEN; a clear boot error otherwise', async (t) => {
  const base = { NODE_ENV: 'test' }
  t.equal(loadConfig(base).revocationFeed.enabled, false, 'off by default without credentials')
  t.equal(loadConfig({ ...base, REVOCATION_FEED_CREDENTIALS: FEED_CREDENTIAL }).revocationFeed.enabled, true, 'on with credentials')
  t.match(loadConfig({ ...base, REVOCATION_FEED_OPEN: 'true' }).revocationFeed, { enabled: true, open: true, credentials: [] })
  t.equal(loadConfig({ ...base, REVOCATION_FEED_ENABLED: 'false', REVOCATION_FEED_CREDENTIALS: FEED_CREDENTIAL }).revocationFeed.enabled, false)
  t.same(loadConfig({ ...base, REVOCATION_FEED_CREDENTIALS: ` ${FEED_CREDENTIAL} , ${'b'.repeat(32)}` }).revocationFeed.credentials, [FEED_CREDENTIAL, 'b'.repeat(32)], 'several, for rotation')
  const refuses = (env: Record<string, string>, pattern: RegExp, what: string) => {
    t.throws(() => loadConfig({ ...base, ...env }), pattern, what)
    try { loadConfig({ ...base, ...env }) } catch (err) {
      t.ok(err instanceof ConfigError)
      t.notOk((err as Error).message.includes('\n'), 'one line')
      if (env.REVOCATION_FEED_CREDENTIALS !== undefined) t.notOk((err as Error).message.includes(env.REVOCATION_FEED_CREDENTIALS), 'the secret is not echoed')
    }
  }
  refuses({ REVOCATION_FEED_ENABLED: 'true' }, /REVOCATION_FEED_ENABLED=true needs REVOCATION_FEED_CREDENTIALS .* or REVOCATION_FEED_OPEN=true/, 'enabled with neither')
  refuses({ REVOCATION_FEED_CREDENTIALS: 'short-secret' }, /REVOCATION_FEED_CREDENTIALS entry 1 must be at least 32/, 'a short credential')
  refuses({ REVOCATION_FEED_CREDENTIALS: `${FEED_CREDENTIAL},${'x'.repeat(31)}` }, /entry 2/, 'the short one is named by position')
  refuses({ REVOCATION_FEED_OPEN: 'yes' }, /REVOCATION_FEED_OPEN/, 'a non-boolean')
  refuses({ REVOCATION_FEED_OPEN: 'true', REVOCATION_FEED_HEARTBEAT_SECONDS: '30' }, /REVOCATION_FEED_HEARTBEAT_SECONDS must be below HTTP_IDLE_TIMEOUT_MS/, 'a heartbeat the idle timeout would cut')
  refuses({ REVOCATION_FEED_MAX_SUBSCRIBERS: '0' }, /REVOCATION_FEED_MAX_SUBSCRIBERS must be an integer from 1/, 'no subscribers at all')
})
