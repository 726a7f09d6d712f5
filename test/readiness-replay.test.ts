// An instance that has not replayed the revocation log since it booted does not know what was revoked before it
// started: it must not report ready, so balancers keep traffic away from it, even once Redis answers again.
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startRedisServer, type RedisProcess } from '../src/redis-server.js'
import { bearer, buildTestApp, json, registerAndLogin, uniquePrefix } from './helper.js'
import { until } from './topologies.js'

t.test('reports not ready until the revocation log has been replayed since boot, though Redis answers', async (t) => {
  // AOF in a private dir: each restart below brings back the same data, revocation log included.
  const dir = mkdtempSync(join(tmpdir(), 'rotor-readiness-'))
  const port = await freePort()
  let redis: RedisProcess = await startRedisServer({ dir, port })
  t.teardown(async () => {
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const prefix = uniquePrefix()
  const env = { REDIS_KEY_PREFIX: prefix, REVOCATION_RESYNC_INTERVAL_MS: '250' }
  const first = await buildTestApp(t, { redisUrl: redis.url, env })
  const user = await registerAndLogin(first)
  t.equal((await first.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 204, 'revoked before the next instance boots')
  await redis.stop()

  const late = await buildTestApp(t, { redisUrl: redis.url, env })
  t.equal((await late.inject({ url: '/readyz' })).statusCode, 503, 'not ready while Redis is unreachable')
  // Redis comes back, but the log cannot be read yet (XRANGE disabled): Redis answers, the replay keeps failing.
  redis = await startRedisServer({ dir, port, args: ['--rename-command', 'XRANGE', ''] })
  await until('the instance reaches Redis again', async () => (await late.redis.ping()) === 'PONG', 20_000)
  for (let i = 0; i < 3; i++) {
    const res = await late.inject({ url: '/readyz' })
    t.equal(res.statusCode, 503, `not ready while the log has not been replayed (check ${i + 1})`)
    t.match(json(res).error_description, /revocation log/)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  t.equal(late.revocations.feed.status().caughtUp, false)

  await redis.stop()
  redis = await startRedisServer({ dir, port })
  await until('the instance reports ready once the log is replayed', async () => (await late.inject({ url: '/readyz' })).statusCode === 200, 20_000)
  t.equal((await late.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 401, 'and rejects the token revoked before it booted')
})
