// Revocation faster than expiry: an access token of a revoked session is rejected by every instance within a second,
// with no store round trip per request. Three app instances share one Redis, as behind a load balancer.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, buildTestApp, json, manualClock, refresh, registerAndLogin, uniquePrefix, type Test } from './helper.js'

// The live feed, not the resync, must deliver it: the resync is a minute away, so a bound far above the usual
// milliseconds (a busy test host can be slow) still tells the two apart. No wall-clock figure is asserted.
const FEED_BOUND_MS = 20_000
const NO_RESYNC = { REVOCATION_RESYNC_INTERVAL_MS: '60000' }

async function cluster (t: Test, count: number, clock?: () => number): Promise<FastifyInstance[]> {
  const env = { REDIS_KEY_PREFIX: uniquePrefix(), ...NO_RESYNC }
  return Promise.all(Array.from({ length: count }, () => buildTestApp(t, { env, clock })))
}

const me = (app: FastifyInstance, accessToken: string) => app.inject({ url: '/me', headers: bearer(accessToken) })

/** Milliseconds until `app` rejects the token, or Infinity if it still accepts it after `withinMs`. */
async function msUntilRejected (app: FastifyInstance, accessToken: string, withinMs = FEED_BOUND_MS): Promise<number> {
  const start = Date.now()
  while (Date.now() - start <= withinMs) {
    if ((await me(app, accessToken)).statusCode === 401) return Date.now() - start
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return Infinity
}

t.test('rejects the old access token on every instance within a second after logout-all on one', async (t) => {
  const apps = await cluster(t, 3)
  const user = await registerAndLogin(apps[0]!)
  for (const app of apps) t.equal((await me(app, user.accessToken)).statusCode, 200, 'valid everywhere before')
  t.equal((await apps[1]!.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 204)
  t.equal((await me(apps[1]!, user.accessToken)).statusCode, 401, 'the instance that revoked rejects at once')
  for (const [i, app] of apps.entries()) t.ok(await msUntilRejected(app, user.accessToken) < FEED_BOUND_MS, `instance ${i} rejects it, told by the live feed`)
})

t.test('rejects the access token of a family ended by logout, session delete or reuse on every instance', async (t) => {
  const clock = manualClock()
  const apps = await cluster(t, 2, clock.now)
  const [a, b] = apps as [FastifyInstance, FastifyInstance]

  const viaLogout = await registerAndLogin(a)
  await a.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: viaLogout.refreshToken } })
  t.ok(await msUntilRejected(b, viaLogout.accessToken) < FEED_BOUND_MS, 'logout with the refresh token')

  const owner = await registerAndLogin(a)
  const second = json<{ access_token: string, session_id: string }>(await a.inject({
    method: 'POST', url: '/auth/token', payload: { email: owner.email, password: 'correct horse battery staple' }
  }))
  t.equal((await a.inject({ method: 'DELETE', url: `/auth/sessions/${second.session_id}`, headers: bearer(owner.accessToken) })).statusCode, 204)
  t.ok(await msUntilRejected(b, second.access_token) < FEED_BOUND_MS, 'session delete')
  t.equal((await me(b, owner.accessToken)).statusCode, 200, 'the session that deleted the other one lives on')

  const victim = await registerAndLogin(a)
  await refresh(a, victim.refreshToken)
  clock.advance(60_000)
  t.equal((await refresh(a, victim.refreshToken)).statusCode, 400, 'reuse detected')
  t.ok(await msUntilRejected(b, victim.accessToken) < 1000, 'reuse detection')
})

t.test('leaves other users and other sessions of the same user alone', async (t) => {
  const apps = await cluster(t, 2)
  const [a, b] = apps as [FastifyInstance, FastifyInstance]
  const alice = await registerAndLogin(a)
  const bob = await registerAndLogin(a)
  const aliceLaptop = json<{ access_token: string }>(await a.inject({
    method: 'POST', url: '/auth/token', payload: { email: alice.email, password: 'correct horse battery staple' }
  }))
  await a.inject({ method: 'POST', url: '/auth/logout', headers: bearer(alice.accessToken) })
  t.ok(await msUntilRejected(b, alice.accessToken) < 1000, 'the logged-out session')
  t.equal((await me(b, aliceLaptop.access_token)).statusCode, 200, "alice's other session")
  t.equal((await me(b, bob.accessToken)).statusCode, 200, 'another user')
})

t.test('accepts tokens issued after logout-all: only older session versions are dead', async (t) => {
  const apps = await cluster(t, 2)
  const [a, b] = apps as [FastifyInstance, FastifyInstance]
  const user = await registerAndLogin(a)
  await a.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })
  const fresh = json<{ access_token: string }>(await b.inject({
    method: 'POST', url: '/auth/token', payload: { email: user.email, password: 'correct horse battery staple' }
  }))
  for (const app of apps) t.equal((await me(app, fresh.access_token)).statusCode, 200)
})

t.test('rejects revoked tokens on an instance that boots after the revocation (log replay)', async (t) => {
  const env = { REDIS_KEY_PREFIX: uniquePrefix() }
  const a = await buildTestApp(t, { env })
  const user = await registerAndLogin(a)
  await a.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })
  const late = await buildTestApp(t, { env })
  t.equal((await me(late, user.accessToken)).statusCode, 401, 'replayed at boot, before its first request')
  t.equal(late.revocations.feed.status().replayed, 1)
})

t.test('reports the feed state in readiness', async (t) => {
  const [app] = await cluster(t, 1)
  const res = await app!.inject({ url: '/readyz' })
  t.same(json(res), { status: 'ready', revocation_feed: 'live' })
})
