// Rotor behind Redis Sentinel (a primary, 2 replicas, 3 Sentinels): every route reaches the primary, revocations reach
// every instance, and a failover under a refreshing client is a short run of 503s, never an invalid_grant; the
// client then carries on with its family and a family revoked before the failover stays revoked.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, buildTestApp, registerAndLogin, uniquePrefix, type Test } from './helper.js'
import { MASTER_NAME, startSentinels, type TestSentinels } from './topology-sentinel.js'
import { expectFeedCarriesLogoutAll, refreshWhile, summary, tourEveryRoute } from './topology-traffic.js'
import { until } from './topologies.js'

let sentinels: TestSentinels
t.before(async () => { sentinels = await startSentinels(t) })

/** An app behind the Sentinels; instances given the same prefix share their users, as behind a balancer. */
const appOn = (test: Test, prefix = uniquePrefix()): Promise<FastifyInstance> => buildTestApp(test, {
  redisUrl: 'redis://127.0.0.1',
  env: { REDIS_SENTINELS: sentinels.sentinels, REDIS_SENTINEL_NAME: MASTER_NAME, REDIS_KEY_PREFIX: prefix }
})

t.test('serves every route family through the primary the Sentinels name', async (t) => {
  const app = await appOn(t)
  await tourEveryRoute(t, app)
})

t.test('carries a logout-all on one instance to another through the feed', async (t) => {
  const prefix = uniquePrefix()
  const [a, b] = [await appOn(t, prefix), await appOn(t, prefix)]
  await expectFeedCarriesLogoutAll(t, a, b, 30_000)
})

t.test('keeps a refreshing client on 200 or 503 through a failover, and the feed follows the new primary', async (t) => {
  const prefix = uniquePrefix()
  const [a, b] = [await appOn(t, prefix), await appOn(t, prefix)]
  const user = await registerAndLogin(a)
  const revoked = await registerAndLogin(a)
  t.equal((await a.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: revoked.refreshToken } })).statusCode, 204)
  const before = await sentinels.primary()

  const run = await refreshWhile(a, user.refreshToken, new Promise((resolve) => setTimeout(resolve, 200))
    .then(() => sentinels.failover()))
  t.comment(summary(run))
  t.same(run.unexpected, [], 'no answer but 200 or 503')
  t.ok(run.recoveredMs >= 0, `refreshes again ${run.recoveredMs} ms after the failover`)
  t.not(await sentinels.primary(), before, 'a replica was promoted')
  t.equal((await a.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: revoked.refreshToken } })).statusCode, 400,
    'a family revoked before the failover stays revoked')

  // Both instances must now talk to the new primary: a revocation on one reaches the other through its feed.
  t.equal((await a.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 204)
  await until('instance b rejects the old access token after the failover', async () =>
    (await b.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode === 401, 30_000)
  // Its log replay may have failed while the command connection was still switching over; it is retried at once.
  await until('b\'s feed is live on the new primary', () => b.revocations.feed.status().state === 'live', 30_000)
})
