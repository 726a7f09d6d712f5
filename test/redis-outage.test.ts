// A Redis outage must degrade, not hang: store-backed routes answer a fast 503 with Retry-After (RFC 9110 §15.6.4,
// §10.2.3), access tokens keep verifying locally, readiness fails so balancers drain the node, and the app
// reconnects by itself when Redis returns. The outage is a private redis-server, so stopping it harms no other test.
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import { freePort, startRedisServer, type RedisProcess } from '../src/redis-server.js'
import { answered, bearer, buildTestApp, json, login, PASSWORD, redisUrl, refresh, registerAndLogin, testKeySet } from './helper.js'
import { until } from './topologies.js'

// Only what is used here: a subtest's `t` is not assignable to the root TAP type.
type Test = Pick<typeof t, 'equal' | 'match'>

function assertUnavailable (t: Test, what: string, res: LightMyRequestResponse): void {
  t.equal(res.statusCode, 503, `${what}: 503`)
  t.equal(json(res).error, 'temporarily_unavailable', `${what}: error code`)
  t.match(res.headers['retry-after'], /^[0-9]+$/, `${what}: Retry-After in seconds`)
  // A failed call must not touch the browser's cookie: clearing it would log the user out over a transient fault.
  t.equal(res.headers['set-cookie'], undefined, `${what}: no Set-Cookie`)
}

t.test('while its Redis is down', async (t) => {
  // AOF in a private dir: the Redis that comes back holds the same data, so recovery can reuse earlier tokens.
  const dir = mkdtempSync(join(tmpdir(), 'rotor-outage-'))
  let redis: RedisProcess = await startRedisServer({ dir })
  t.teardown(async () => {
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const app = await buildTestApp(t, { redisUrl: redis.url })
  const viaBody = await registerAndLogin(app)
  const viaCookie = await registerAndLogin(app, 'cookie')
  // One user asked /me before the outage: this instance remembers their email (emails never change).
  const before = await app.inject({ method: 'GET', url: '/me', headers: bearer(viaCookie.accessToken) })
  t.same(json(before), { id: viaCookie.userId, email: viaCookie.email, session_id: viaCookie.sessionId, degraded: false })
  await redis.stop()

  t.test('every store-backed route answers 503 temporarily_unavailable with Retry-After and no cookie', async (t) => {
    const calls: Array<[string, () => PromiseLike<LightMyRequestResponse>]> = [
      ['login (body delivery)', () => login(app, viaBody.email)],
      ['login (cookie delivery)', () => login(app, viaCookie.email, PASSWORD, 'cookie')],
      ['refresh (body)', () => refresh(app, viaBody.refreshToken)],
      ['refresh (cookie)', () => app.inject({
        method: 'POST',
        url: '/auth/refresh',
        headers: { 'x-requested-with': 'XMLHttpRequest' },
        cookies: { [app.refreshCookie.name]: viaCookie.refreshToken }
      })],
      ['logout (refresh token)', () => app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: viaBody.refreshToken } })],
      ['logout-all', () => app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(viaBody.accessToken) })],
      ['list sessions', () => app.inject({ method: 'GET', url: '/auth/sessions', headers: bearer(viaBody.accessToken) })],
      ['delete session', () => app.inject({ method: 'DELETE', url: `/auth/sessions/${viaBody.sessionId}`, headers: bearer(viaBody.accessToken) })]
    ]
    for (const [what, call] of calls) assertUnavailable(t, what, await answered(what, call()))
  })

  t.test('GET /me still authenticates locally: from the access token alone (email null, degraded) unless remembered', async (t) => {
    const res = await answered('/me', app.inject({ method: 'GET', url: '/me', headers: bearer(viaBody.accessToken) }))
    t.equal(res.statusCode, 200)
    t.same(json(res), { id: viaBody.userId, email: null, session_id: viaBody.sessionId, degraded: true })
    const remembered = await answered('/me', app.inject({ method: 'GET', url: '/me', headers: bearer(viaCookie.accessToken) }))
    t.same(json(remembered), { id: viaCookie.userId, email: viaCookie.email, session_id: viaCookie.sessionId, degraded: false })
    const forged = await answered('/me', app.inject({ method: 'GET', url: '/me', headers: bearer(`${viaBody.accessToken}x`) }))
    t.equal(forged.statusCode, 401, 'still verified')
  })

  t.test('liveness stays 200 while readiness answers 503', async (t) => {
    const health = await answered('/healthz', app.inject({ method: 'GET', url: '/healthz' }))
    t.equal(health.statusCode, 200)
    assertUnavailable(t, '/readyz', await answered('/readyz', app.inject({ method: 'GET', url: '/readyz' })))
  })

  t.test('recovers by itself when Redis comes back on the same port', async (t) => {
    redis = await startRedisServer({ dir, port: redis.port })
    // ioredis reconnects with a capped backoff; poll readiness rather than sleep a guessed time.
    let ready: LightMyRequestResponse | undefined
    for (let i = 0; i < 100 && ready?.statusCode !== 200; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100))
      ready = await answered('/readyz', app.inject({ method: 'GET', url: '/readyz' }))
    }
    t.equal(ready?.statusCode, 200, 'readyz turns 200 again')

    const again = await login(app, viaBody.email)
    t.equal(again.statusCode, 200, 'login works again')
    t.type(json(again).access_token, 'string')
    // The refreshes attempted during the outage never reached Redis, so the token they carried is still current.
    const rotated = await refresh(app, viaBody.refreshToken)
    t.equal(rotated.statusCode, 200, 'the refresh token presented during the outage was not consumed')
    t.not(json(rotated).refresh_token, viaBody.refreshToken)
  })
})

t.test('an app built while Redis is down still boots and verifies access tokens signed with the same keys', async (t) => {
  const healthy = await buildTestApp(t)
  const user = await registerAndLogin(healthy)

  // Same key set (and, through the harness, the same refresh secret); nothing listens on the Redis port.
  const deadUrl = `redis://127.0.0.1:${await freePort()}`
  const app = await buildTestApp(t, { redisUrl: deadUrl, keySet: await testKeySet() })

  const me = await answered('/me', app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) }))
  t.equal(me.statusCode, 200)
  t.equal(json(me).id, user.userId)

  assertUnavailable(t, 'login', await answered('login', login(app, user.email)))
  assertUnavailable(t, 'refresh', await answered('refresh', refresh(app, user.refreshToken)))
  assertUnavailable(t, '/readyz', await answered('/readyz', app.inject({ method: 'GET', url: '/readyz' })))
})

t.test('an app whose Redis accepts connections but does not answer boots anyway, then serves once Redis answers', async (t) => {
  const healthy = await buildTestApp(t)
  const user = await registerAndLogin(healthy)
  // A Redis that is slow to answer (a Cluster mid-failover, a stalled link): connections are accepted and held; once
  // released, each is piped to the real server, with what the client had sent meanwhile.
  const upstream = new URL(await redisUrl())
  let released = false
  const held: Array<() => void> = []
  const sockets = new Set<Socket>()
  const stalled = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    const pipe = () => {
      const real = connect(Number(upstream.port), upstream.hostname)
      sockets.add(real)
      real.on('error', () => socket.destroy())
      socket.pipe(real).pipe(socket)
    }
    if (released) pipe(); else { socket.pause(); held.push(pipe) }
  })
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => { stalled.close(resolve); for (const s of sockets) s.destroy() }))
  const port = (stalled.address() as AddressInfo).port

  // Fastify fails a plugin that takes 10 s: the boot must give up waiting well before, not fail.
  const app = await buildTestApp(t, { redisUrl: `redis://127.0.0.1:${port}`, keySet: await testKeySet(), env: { REDIS_KEY_PREFIX: healthy.config.redis.keyPrefix } })
  const me = await answered('/me', app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) }))
  t.equal(me.statusCode, 200, 'access tokens verify at once')
  assertUnavailable(t, 'login', await answered('login', login(app, user.email)))
  assertUnavailable(t, '/readyz', await answered('/readyz', app.inject({ method: 'GET', url: '/readyz' })))

  released = true
  for (const pipe of held.splice(0)) pipe()
  await until('the instance is ready once Redis answers', async () => (await app.inject({ url: '/readyz' })).statusCode === 200, 60_000)
  t.equal((await login(app, user.email)).statusCode, 200, 'and logs users in')
})
