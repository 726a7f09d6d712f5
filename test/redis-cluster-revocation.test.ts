// On a real Redis Cluster: a revocation is answered only once the replica of the master owning it holds it, so
// killing that master right after the answer cannot bring a logged-out session back (durable mode or not); and in
// durable mode a master left without a replica (its replica took over from it) serves its session writes best effort,
// counted and logged, instead of answering 503 to every write while applying each one.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, buildTestApp, refresh, registerAndLogin, uniquePrefix, type LoggedIn, type Test } from './helper.js'
import { startCluster, type TestCluster } from './topology-cluster.js'
import { settledWithin, sleep, until } from './topologies.js'
import { refreshWhile, summary } from './topology-traffic.js'

let cluster: TestCluster
t.before(async () => { cluster = await startCluster(t) })

const appOn = (test: Test, env: Record<string, string> = {}): Promise<FastifyInstance> => buildTestApp(test, {
  redisUrl: 'redis://127.0.0.1',
  env: { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_COMMAND_TIMEOUT_MS: '6000', REDIS_WAIT_TIMEOUT_MS: '3000', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', ...env }
})
const userKey = (app: FastifyInstance, userId: string) => `${app.config.redis.keyPrefix}{${userId}}:user`

t.test('answers durable refreshes 200 or 503, never 500, while their master fails over (CLUSTER FAILOVER)', async (t) => {
  const app = await appOn(t, { REDIS_WAIT_REPLICAS: '1' })
  const users = await Promise.all([0, 1, 2, 3].map(async () => registerAndLogin(app)))
  const { master } = await cluster.ownerOf(userKey(app, users[0]!.userId))
  const mates = await Promise.all(users.map(async (u) => (await cluster.ownerOf(userKey(app, u.userId))).master === master))
  const during = sleep(200).then(() => cluster.failover(master))
  const runs = await Promise.all(users.filter((_u, i) => mates[i]).map((u) => refreshWhile(app, u.refreshToken, during)))
  for (const run of runs) {
    t.comment(summary(run))
    t.same(run.unexpected, [], 'no answer but 200 or 503')
    t.ok(run.recoveredMs >= 0, 'and it refreshes again afterwards')
  }
})

let survivor = -1

t.test('keeps an acknowledged logout when the master owning the session dies right after the answer', async (t) => {
  const app = await appOn(t, { REDIS_KEY_PREFIX: uniquePrefix() })
  const user = await registerAndLogin(app)
  const owner = await cluster.ownerOf(userKey(app, user.userId))
  // The owning master's replica frozen (briefly: well inside the node timeout, so the cluster still counts it).
  cluster.signal(owner.replica, 'SIGSTOP')
  t.teardown(() => cluster.signal(owner.replica, 'SIGCONT'))
  const logout = app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: user.refreshToken } })
  const answered = await settledWithin(logout, 300)
  cluster.signal(owner.replica, 'SIGCONT')
  t.notOk(answered, 'the logout is not answered while the replica cannot hold it')
  t.equal((await logout).statusCode, 204, 'answered once it does')
  survivor = await cluster.kill(owner.master)

  let res = await refresh(app, user.refreshToken)
  await until('the slot is served again', async () => (res = await refresh(app, user.refreshToken)).statusCode !== 503, 20_000)
  t.equal(res.statusCode, 400, 'the logged-out family stays revoked on the promoted replica')
})

/** Users registered until one lives on `master` (a third of them do). */
async function userOn (app: FastifyInstance, master: number): Promise<LoggedIn> {
  for (let i = 0; i < 60; i++) {
    const user = await registerAndLogin(app)
    if ((await cluster.ownerOf(userKey(app, user.userId), master)).master === master) return user
  }
  throw new Error(`no user landed on ${master}`)
}

// After the test above: the promoted replica is a master with no replica of its own.
t.test('serves durable session writes best effort on a master left without a replica, and counts them', async (t) => {
  if (survivor < 0) throw new Error('needs the master killed by the previous test')
  const app = await appOn(t, { REDIS_WAIT_REPLICAS: '1' })
  const user = await userOn(app, survivor)
  let token = user.refreshToken
  for (let i = 0; i < 3; i++) {
    const res = await refresh(app, token)
    t.equal(res.statusCode, 200, `refresh ${i + 1}: ${res.statusCode === 200 ? 200 : res.body}`)
    token = (JSON.parse(res.body) as { refresh_token: string }).refresh_token
  }
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 204, 'revocations too')
  const metrics = (await app.inject({ url: '/metrics' })).body
  t.match(metrics, /rotor_redis_durability_degraded_writes_total\{purpose="issue",available="0"\} [1-9]/, 'degraded rotations counted')
  t.match(metrics, /rotor_redis_durability_degraded_writes_total\{purpose="revoke",available="0"\} [1-9]/, 'and the revocation')
})
