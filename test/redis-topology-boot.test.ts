// With Sentinels or a Cluster that cannot be reached, Rotor boots like it does without a plain Redis: access tokens
// keep verifying locally, and store-backed routes answer a fast 503 with Retry-After rather than hanging. Every
// transient error of those topologies is a 503 too; a bug (such as a cross-slot command) is not hidden as one.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { isStoreUnavailable } from '../src/plugins/redis.js'
import { StoreUnavailableError } from '../src/redis-errors.js'
import { freePort } from '../src/redis-server.js'
import { answered, bearer, buildTestApp, json } from './helper.js'

const unreachable = async () => `127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}`

type Test = Pick<typeof t, 'equal' | 'match'>

async function checkOutage (t: Test, app: FastifyInstance): Promise<void> {
  const ready = await answered('readiness', app.inject({ url: '/readyz' }))
  t.equal(ready.statusCode, 503, '/readyz says not ready')
  const login = await answered('login', app.inject({ method: 'POST', url: '/auth/token', payload: { email: 'a@example.com', password: 'correct horse battery staple' } }))
  t.equal(login.statusCode, 503, 'login: 503')
  t.equal(json(login).error, 'temporarily_unavailable')
  t.match(login.headers['retry-after'], /^[0-9]+$/, 'with Retry-After')
  const { token } = await app.accessTokens.sign({ userId: 'u', roles: [], sessionId: 's', sessionVersion: 0 })
  const me = await app.inject({ url: '/me', headers: bearer(token) })
  t.equal(me.statusCode, 200, 'access tokens still verify locally')
}

t.test('boots and answers 503 when no Sentinel answers', async (t) => {
  const app = await answered('boot', buildTestApp(t, { redisUrl: 'redis://127.0.0.1', env: { REDIS_SENTINELS: await unreachable() } }))
  await checkOutage(t, app)
})

t.test('boots and answers 503 when no Cluster node answers', async (t) => {
  const app = await answered('boot', buildTestApp(t, { redisUrl: 'redis://127.0.0.1', env: { REDIS_CLUSTER_NODES: await unreachable() } }))
  await checkOutage(t, app)
})

t.test('answers 503 for the transient errors of a Cluster or of Sentinels, never for a bug', async (t) => {
  for (const message of [
    'CLUSTERDOWN The cluster is down', 'TRYAGAIN Multiple keys request during rehashing of slot',
    'Too many Cluster redirections. Last error: ReplyError: MOVED 12182 127.0.0.1:7002', 'Failed to refresh slots cache.',
    "Cluster isn't ready and enableOfflineQueue options is false", 'None of startup nodes is available',
    'MOVED 3999 127.0.0.1:6381', 'ASK 3999 127.0.0.1:6381', "READONLY You can't write against a read only replica. script: 0",
    'NOREPLICAS 0 of 1 replicas acknowledged the write within 500 ms', 'All sentinels are unreachable. Retrying from scratch after 10ms.',
    'Command aborted due to connection close',
    'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
    'LOADING Redis is loading the dataset in memory', 'Connection is discarded because a new connection is made',
    'Node is disconnected', 'Cluster is disconnected.', 'EXECABORT Transaction discarded because of previous errors.'
  ]) t.ok(isStoreUnavailable(new Error(message)), message)
  t.ok(isStoreUnavailable(new StoreUnavailableError('WAIT failed: ERR WAIT cannot be used with replica instances')), 'a failed WAIT after its script ran')
  for (const message of ["CROSSSLOT Keys in request don't hash to the same slot", 'ERR Error running script', 'WRONGTYPE Operation against a key holding the wrong kind of value']) {
    t.notOk(isStoreUnavailable(new Error(message)), message)
  }
})
