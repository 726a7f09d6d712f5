// Durable mode (REDIS_WAIT_REPLICAS) on a real Redis Cluster: the write and its WAIT travel in one pipeline to the
// master owning the user's slot, follow a failover (MOVED) and a slot migration (ASK), survive nodes that never loaded
// the scripts (NOSCRIPT), and a master whose replica cannot acknowledge answers 503 without handing out a token.
import t from 'tap'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { scriptSource } from '../src/sessions/scripts.js'
import { buildTestApp, json, refresh, registerAndLogin, type Test } from './helper.js'
import { startCluster, type TestCluster } from './topology-cluster.js'
import { refreshWhile, summary } from './topology-traffic.js'

let cluster: TestCluster
t.before(async () => { cluster = await startCluster(t) })

const durableApp = (test: Test): Promise<FastifyInstance> => buildTestApp(test, {
  redisUrl: 'redis://127.0.0.1',
  env: { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '300' }
})
const userKey = (app: FastifyInstance, userId: string) => `${app.config.redis.keyPrefix}{${userId}}:user`
const soon = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

t.test('runs durable writes on masters that never loaded the scripts', async (t) => {
  const app = await durableApp(t)
  const user = await registerAndLogin(app)
  for (const port of cluster.ports) await cluster.node(port).script('FLUSH')
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'the refresh succeeds')
  const sha = createHash('sha1').update(scriptSource('rotate-refresh-token')).digest('hex')
  const { master } = await cluster.ownerOf(userKey(app, user.userId))
  t.same(await cluster.node(master).script('EXISTS', sha), [1], 'the owning master has the script now')
})

t.test('answers 503 without a token while the owning master\'s replica cannot acknowledge', async (t) => {
  const app = await durableApp(t)
  const user = await registerAndLogin(app)
  const { replica } = await cluster.ownerOf(userKey(app, user.userId))
  cluster.signal(replica, 'SIGSTOP')
  let res
  try {
    res = await refresh(app, user.refreshToken)
  } finally {
    cluster.signal(replica, 'SIGCONT')
  }
  t.equal(res.statusCode, 503)
  t.notMatch(res.body, /access_token|refresh_token/, 'no token in the answer')
  const retry = await refresh(app, user.refreshToken)
  t.equal(retry.statusCode, 200, 'the retry gets the (same) successor once the replica is back')
  t.equal((await refresh(app, json<{ refresh_token: string }>(retry).refresh_token)).statusCode, 200, 'and the family goes on')
})

t.test('follows a failover of the owning master with durable refreshes on 200 or 503', async (t) => {
  const app = await durableApp(t)
  const user = await registerAndLogin(app)
  const { master } = await cluster.ownerOf(userKey(app, user.userId))
  const run = await refreshWhile(app, user.refreshToken, soon(200).then(() => cluster.failover(master)))
  t.comment(summary(run))
  t.same(run.unexpected, [], 'no answer but 200 or 503')
  t.ok(run.recoveredMs >= 0, `refreshes again ${run.recoveredMs} ms after the failover`)
})

t.test('follows a slot migration with durable refreshes on 200 or 503, and the family is intact', async (t) => {
  const app = await durableApp(t)
  const user = await registerAndLogin(app)
  const key = userKey(app, user.userId)
  const { slot, master } = await cluster.ownerOf(key)
  const target = (await cluster.masters()).find((port) => port !== master)!
  const run = await refreshWhile(app, user.refreshToken, soon(200).then(() => cluster.migrateSlot(slot, master, target, () => soon(300))))
  t.comment(summary(run))
  t.same(run.unexpected, [], 'no answer but 200 or 503')
  t.ok(run.statuses.filter((s) => s === 200).length > 5, 'refreshes went on during the migration')
  t.equal((await cluster.ownerOf(key)).master, target, 'the slot moved')
  t.equal((await refresh(app, run.token)).statusCode, 200, 'the family is intact afterwards')
})
