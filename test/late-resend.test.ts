// A command answered 503 because its connection went silent is never sent again by the Redis client once it has
// reconnected (test/late-resend.ts): a rotation replayed late is a reuse, and the user, who carried on through
// another instance, would be logged out. The Cluster case is in test/redis-cluster.test.ts.
import t from 'tap'
import { buildTestApp, redisUrl, registerAndLogin, uniquePrefix } from './helper.js'
import { rotateAroundASilentConnection, startDroppingProxy } from './late-resend.js'

t.test('a rotation timed out on a dropped connection is not replayed after the reconnect: the client\'s later rotations stand', async (t) => {
  const url = new URL(await redisUrl())
  const proxy = await startDroppingProxy(t, Number(url.port))
  const prefix = uniquePrefix()
  const env = { REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '300' }
  const behind = await buildTestApp(t, { redisUrl: `redis://127.0.0.1:${proxy.port}`, env })
  const direct = await buildTestApp(t, { env })
  const user = await registerAndLogin(direct)
  const next = await rotateAroundASilentConnection(t, behind, direct, proxy, user)
  t.equal(next.statusCode, 200, 'the family lives on: nothing replayed the timed-out rotation')
})
