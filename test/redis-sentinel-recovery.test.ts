// Behind Sentinel, an instance always recovers from a failover by itself: ioredis gives up for good on a Sentinel
// client disconnected in the middle of its primary lookup (status 'end', "Connection is closed." on every command),
// and Rotor re-drives it. Checked on the client alone, then over several unplanned failovers with a few instances.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../src/config.js'
import { closeRedisClient, createRedisClient } from '../src/redis-client.js'
import { buildTestApp, refresh, registerAndLogin, uniquePrefix, type LoggedIn } from './helper.js'
import { MASTER_NAME, startSentinels, type TestSentinels } from './topology-sentinel.js'
import { sleep, until } from './topologies.js'

let sentinels: TestSentinels
t.before(async () => { sentinels = await startSentinels(t) })

// Overload shedding off: three instances hashing passwords on a busy machine is not what this tests.
const sentinelEnv = () => ({ REDIS_SENTINELS: sentinels.sentinels, REDIS_SENTINEL_NAME: MASTER_NAME, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' })

t.test('re-drives a Sentinel client that ioredis ended while it was looking up the primary', async (t) => {
  const client = createRedisClient(loadConfig({ NODE_ENV: 'test', ...sentinelEnv() }).redis, 'commands')
  client.on('error', () => undefined)
  t.teardown(() => closeRedisClient(client))
  await client.connect()
  // What ioredis's failover detector does on +switch-master (connector.disconnect()), here while a lookup runs.
  const connector = (client as unknown as { connector: { disconnect: () => void } }).connector
  client.once('connecting', () => { connector.disconnect() })
  const ended = new Promise((resolve) => client.once('end', resolve))
  client.disconnect(true)
  await ended
  await until('the client is ready again', () => client.status === 'ready', 15_000)
  t.equal(await client.ping(), 'PONG', 'and answers')
})

/** Every instance serves again: ready (store and revocation log), a refresh succeeds, its feed is live. */
async function allRecovered (apps: FastifyInstance[], users: LoggedIn[], round: number): Promise<void> {
  await Promise.all(apps.map((app, i) => until(`instance ${i + 1} serves again after failover ${round}`, async () => {
    if ((await app.inject({ url: '/readyz' })).statusCode !== 200) return false
    const res = await refresh(app, users[i]!.refreshToken)
    if (res.statusCode !== 200) return false
    users[i]!.refreshToken = (JSON.parse(res.body) as { refresh_token: string }).refresh_token
    return app.revocations.feed.status().state === 'live'
  }, 30_000)))
}

t.test('every instance recovers by itself from repeated unplanned failovers', async (t) => {
  const prefix = uniquePrefix()
  const apps = await Promise.all([1, 2, 3].map(() => buildTestApp(t, { redisUrl: 'redis://127.0.0.1', env: { ...sentinelEnv(), REDIS_KEY_PREFIX: prefix } })))
  const users: LoggedIn[] = []
  for (const app of apps) users.push(await registerAndLogin(app))
  const rounds = 3
  for (let round = 1; round <= rounds; round++) {
    const old = await sentinels.primary()
    const replicas = await sentinels.replicas()
    // As reported: replicas paused for 300 ms while the primary is killed, then the Sentinels promote one.
    for (const port of replicas) sentinels.signal(port, 'SIGSTOP')
    const promoted = sentinels.kill()
    await sleep(300)
    for (const port of replicas) sentinels.signal(port, 'SIGCONT')
    await promoted
    await allRecovered(apps, users, round)
    t.pass(`failover ${round}: all ${apps.length} instances serve again`)
    if (round < rounds) await sentinels.revive(old)
  }
})
