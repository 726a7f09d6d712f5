// Durable mode (REDIS_WAIT_REPLICAS): a session write is answered only once a replica holds it, so a failover cannot
// take back a token the client was given. Without an acknowledging replica the answer is 503 and no token leaves.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { isStoreUnavailable } from '../src/plugins/redis.js'
import { runScriptDurably } from '../src/sessions/scripts.js'
import { buildTestApp, json, refresh, registerAndLogin, uniquePrefix, type Test } from './helper.js'
import { MASTER_NAME, startSentinels, type TestSentinels } from './topology-sentinel.js'
import { refreshWhile, summary } from './topology-traffic.js'

let sentinels: TestSentinels
t.before(async () => { sentinels = await startSentinels(t) })

const durableApp = (test: Test): Promise<FastifyInstance> => buildTestApp(test, {
  redisUrl: 'redis://127.0.0.1',
  env: { REDIS_SENTINELS: sentinels.sentinels, REDIS_SENTINEL_NAME: MASTER_NAME, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '300' }
})

t.test('runs a script durably on a primary that never loaded it; too few acknowledgements are NOREPLICAS', async (t) => {
  const primary = sentinels.node(await sentinels.primary())
  await primary.script('FLUSH')
  const logKey = `${uniquePrefix()}revocations`
  const event = JSON.stringify({ kind: 'user', userId: 'u', minVersion: 1, atMs: Date.now(), reason: 'test' })
  const id = await runScriptDurably(primary, 'publish-revocation', [logKey], ['test-channel', event, 60_000], { replicas: 2, timeoutMs: 300 })
  t.match(String(id), /^[0-9]+-[0-9]+$/, 'the script ran (EVALSHA answered NOSCRIPT, then EVAL)')
  for (const port of await sentinels.replicas()) t.equal(await sentinels.node(port).xlen(logKey), 1, `replica ${port} holds the entry`)

  const err = await runScriptDurably(primary, 'publish-revocation', [logKey], ['test-channel', event, 60_000], { replicas: 3, timeoutMs: 100 })
    .then(() => undefined, (e: unknown) => e)
  t.match(err, { message: /^NOREPLICAS 2 of 3 replicas/ }, 'two replicas exist, three were asked for')
  t.ok(isStoreUnavailable(err), 'answered 503')
})

t.test('answers a refresh only once a replica holds the rotation', async (t) => {
  const app = await durableApp(t)
  const user = await registerAndLogin(app)
  const res = await refresh(app, user.refreshToken)
  t.equal(res.statusCode, 200)
  // The family's record lives in the user's hash (field f:<family id>); it must be on a replica byte for byte.
  const [key, field] = [`${app.config.redis.keyPrefix}{${user.userId}}:user`, `f:${user.sessionId}`]
  const onPrimary = await sentinels.node(await sentinels.primary()).hgetBuffer(key, field)
  const onReplicas = await Promise.all((await sentinels.replicas()).map((port) => sentinels.node(port).hgetBuffer(key, field)))
  t.ok(onPrimary !== null && onReplicas.some((copy) => copy?.equals(onPrimary)), 'a replica already holds the rotated family')
})

t.test('answers 503 and hands out no token while no replica acknowledges; the retry then gets the token', async (t) => {
  const app = await durableApp(t)
  const user = await registerAndLogin(app)
  const replicas = await sentinels.replicas()
  for (const port of replicas) sentinels.signal(port, 'SIGSTOP')
  let res
  try {
    res = await refresh(app, user.refreshToken)
  } finally {
    for (const port of replicas) sentinels.signal(port, 'SIGCONT')
  }
  t.equal(res.statusCode, 503)
  t.equal(json(res).error, 'temporarily_unavailable')
  t.notMatch(res.body, /access_token|refresh_token/, 'no token in the answer')
  t.equal(res.headers['set-cookie'], undefined, 'and no cookie')

  // The rotation stands on the primary; retried inside the grace window it yields the same successor, now durably.
  const retry = await refresh(app, user.refreshToken)
  t.equal(retry.statusCode, 200, 'the client\'s retry succeeds')
  t.equal((await refresh(app, json<{ refresh_token: string }>(retry).refresh_token)).statusCode, 200, 'and the family goes on')
})

// Last: the primary is gone afterwards.
t.test('keeps a refreshing client on 200 or 503 when the primary dies, and its family survives', async (t) => {
  const app = await durableApp(t)
  const user = await registerAndLogin(app)
  const run = await refreshWhile(app, user.refreshToken, new Promise((resolve) => setTimeout(resolve, 200))
    .then(() => sentinels.kill()))
  t.comment(summary(run))
  t.same(run.unexpected, [], 'no answer but 200 or 503: no acknowledged rotation was lost')
  t.ok(run.statuses.includes(503), 'the outage was seen')
  t.ok(run.recoveredMs >= 0, `refreshes again ${run.recoveredMs} ms after the promotion`)
})
