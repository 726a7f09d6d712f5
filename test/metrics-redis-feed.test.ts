// Infrastructure metrics: Redis command latency by command (scripts included), and the revocation feed's state,
// event counts and lag, read at scrape time so they always agree with the feed itself.
import t from 'tap'
import { freePort } from '../src/redis-server.js'
import { bearer, buildTestApp, registerAndLogin, uniquePrefix } from './helper.js'
import { scrape, valueOf, waitFor } from './metrics-scrape.js'

t.test('times Redis commands by command name, Lua scripts as evalsha', async (t) => {
  const app = await buildTestApp(t)
  await registerAndLogin(app) // login runs the create-family script
  const { samples } = await scrape(app)
  const evalsha = valueOf(samples, 'rotor_redis_command_duration_seconds_count', { command: 'evalsha' }) ?? 0
  t.ok(evalsha >= 1, `evalsha observed (${evalsha})`)
  t.equal(valueOf(samples, 'rotor_redis_command_duration_seconds_bucket', { command: 'evalsha', le: '+Inf' }), evalsha,
    'every observation falls in a bucket')
  t.ok((valueOf(samples, 'rotor_redis_command_duration_seconds_sum', { command: 'evalsha' }) ?? -1) >= 0, 'durations are in seconds, not negative')
  t.ok(valueOf(samples, 'rotor_redis_command_duration_seconds_count', { command: 'hgetall' }) !== undefined ||
    valueOf(samples, 'rotor_redis_command_duration_seconds_count', { command: 'get' }) !== undefined, 'plain commands too')
  const labelNames = new Set(samples.filter((s) => s.name.startsWith('rotor_redis_command_duration_seconds'))
    .flatMap((s) => Object.keys(s.labels)))
  t.same([...labelNames].sort(), ['command', 'le'], 'labelled by command only (and the bucket bound)')
})

t.test('shows the revocation feed as live, one series per state', async (t) => {
  const app = await buildTestApp(t)
  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_revocation_feed_state', { state: 'live' }), 1)
  t.equal(valueOf(samples, 'rotor_revocation_feed_state', { state: 'degraded' }), 0)
  t.equal(valueOf(samples, 'rotor_revocation_feed_state', { state: 'starting' }), 0)
})

t.test('still answers /metrics without Redis and shows the feed degraded', async (t) => {
  // Scrapes must work during an outage: that is when operators look at them.
  const app = await buildTestApp(t, { redisUrl: `redis://127.0.0.1:${await freePort()}`, env: { REDIS_CONNECT_TIMEOUT_MS: '200' } })
  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_revocation_feed_state', { state: 'degraded' }), 1)
  t.equal(valueOf(samples, 'rotor_revocation_feed_state', { state: 'live' }), 0)
})

t.test('counts revocations heard live from another instance, with their lag, but not as its own revocations', async (t) => {
  const env = { REDIS_KEY_PREFIX: uniquePrefix() }
  const [a, b] = await Promise.all([buildTestApp(t, { env }), buildTestApp(t, { env })])
  const user = await registerAndLogin(a)
  t.equal((await a.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 204)
  t.ok(await waitFor(() => b.revocations.feed.status().received >= 1), 'b heard it')

  const { samples } = await scrape(b)
  t.equal(valueOf(samples, 'rotor_revocation_feed_events_total', { source: 'live' }), 1)
  t.equal(valueOf(samples, 'rotor_revocation_feed_events_total', { source: 'replay' }), 0)
  t.equal(valueOf(samples, 'rotor_revocation_feed_lag_seconds_count', { source: 'live' }), 1, 'its lag was observed')
  t.equal(valueOf(samples, 'rotor_revocations_total', { reason: 'logout_all' }), undefined, 'counted only where it was made')
  const own = await scrape(a)
  t.equal(valueOf(own.samples, 'rotor_revocations_total', { reason: 'logout_all', scope: 'user' }), 1)
})

t.test('counts revocations replayed from the log by an instance that starts later', async (t) => {
  const env = { REDIS_KEY_PREFIX: uniquePrefix() }
  const a = await buildTestApp(t, { env })
  const user = await registerAndLogin(a)
  await a.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: user.refreshToken } })
  const late = await buildTestApp(t, { env })
  const { samples } = await scrape(late)
  t.equal(valueOf(samples, 'rotor_revocation_feed_events_total', { source: 'replay' }), 1)
  t.equal(valueOf(samples, 'rotor_revocation_feed_events_total', { source: 'live' }), 0)
})
