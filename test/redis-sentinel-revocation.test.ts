// Behind Sentinel, without durable mode (REDIS_WAIT_REPLICAS unset): a revocation is answered only once a replica
// holds it, so killing the primary right after the answer cannot bring a logged-out session back; and in durable
// mode a primary demoted while a WAIT is blocked is a 503 with Retry-After, never a 500.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { createKeyNames } from '../src/key-names.js'
import { defineScripts, runScriptDurably } from '../src/sessions/scripts.js'
import { bearer, buildTestApp, json, login, refresh, registerAndLogin, uniquePrefix, type Test } from './helper.js'
import { MASTER_NAME, startSentinels, type TestSentinels } from './topology-sentinel.js'
import { info, settledWithin, until } from './topologies.js'

let sentinels: TestSentinels
t.before(async () => { sentinels = await startSentinels(t) })

const appOn = (test: Test, env: Record<string, string>): Promise<FastifyInstance> => buildTestApp(test, {
  redisUrl: 'redis://127.0.0.1',
  env: { REDIS_SENTINELS: sentinels.sentinels, REDIS_SENTINEL_NAME: MASTER_NAME, REDIS_COMMAND_TIMEOUT_MS: '8000', REFRESH_REUSE_GRACE_SECONDS: '15', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', ...env }
})

t.test('answers 503, not 500, when the primary is demoted while a durable write waits for its replicas', async (t) => {
  const app = await appOn(t, { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '6000' })
  const user = await registerAndLogin(app)
  // Once while all is well: the rotation script is loaded, so what follows is one script and its WAIT.
  const warm = await refresh(app, user.refreshToken)
  t.equal(warm.statusCode, 200)
  const token = json<{ refresh_token: string }>(warm).refresh_token
  const old = await sentinels.primary()
  const replicas = await sentinels.replicas()
  // Replicas frozen: the rotation's WAIT blocks on the primary.
  for (const port of replicas) sentinels.signal(port, 'SIGSTOP')
  t.teardown(() => { for (const port of replicas) sentinels.signal(port, 'SIGCONT') })
  const answer = refresh(app, token)
  t.notOk(await settledWithin(answer, 300), 'the refresh waits for a replica')
  // Demoted as a failover demotes it (REPLICAOF): Redis releases the blocked WAIT with UNBLOCKED.
  await sentinels.node(old).replicaof('127.0.0.1', String(replicas[0]))
  let res
  try {
    res = await answer
  } finally {
    // Promptly back, before the Sentinels take the role change for a failure.
    await sentinels.node(old).replicaof('NO', 'ONE')
    for (const port of replicas) sentinels.signal(port, 'SIGCONT')
  }
  t.equal(res.statusCode, 503, `503 (${res.body})`)
  t.equal(json(res).error, 'temporarily_unavailable')
  t.match(res.headers['retry-after'], /^[0-9]+$/, 'with Retry-After')
  await until('the primary is back with both replicas', async () =>
    (await info(sentinels.node(old), 'replication')).get('connected_slaves') === '2', 20_000)
})

t.test('a logout-all answered 503 stands at once, and its retry confirms it (204) without ending a session begun since', async (t) => {
  const app = await appOn(t, { REDIS_WAIT_TIMEOUT_MS: '300' })
  const caller = await registerAndLogin(app)
  const otherDevice = json<{ access_token: string, refresh_token: string }>(await login(app, caller.email))
  const primary = sentinels.node(await sentinels.primary())
  const replicas = await sentinels.replicas()
  for (const port of replicas) sentinels.signal(port, 'SIGSTOP')
  let first
  try {
    first = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(caller.accessToken) })
  } finally {
    for (const port of replicas) sentinels.signal(port, 'SIGCONT')
  }
  t.equal(first.statusCode, 503, 'no replica acknowledged the bump in time')
  // The bump stands on the primary, so it is announced all the same: its access tokens die now, not at expiry.
  t.equal((await app.inject({ url: '/me', headers: bearer(otherDevice.access_token) })).statusCode, 401, 'the other device\'s access token is dead')
  t.equal((await refresh(app, otherDevice.refresh_token)).statusCode, 400, 'and its refresh token')

  const since = json<{ access_token: string, refresh_token: string }>(await login(app, caller.email))
  const retry = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(caller.accessToken) })
  t.equal(retry.statusCode, 204, `the retry with the same token confirms the logout-all (${retry.body})`)
  const key = `${app.config.redis.keyPrefix}{${caller.userId}}:user`
  const version = await primary.hget(key, 'sv')
  for (const port of replicas) t.equal(await sentinels.node(port).hget(key, 'sv'), version, `replica ${port} holds the bumped version`)
  t.equal(version, '1', 'bumped once, not twice')
  t.equal((await app.inject({ url: '/me', headers: bearer(since.access_token) })).statusCode, 200, 'the session begun since lives on')
  t.equal((await refresh(app, since.refresh_token)).statusCode, 200, 'and refreshes')
  t.equal((await app.inject({ url: '/auth/sessions', headers: bearer(caller.accessToken) })).statusCode, 401,
    'the old token still opens nothing else')
})

t.test('makes a repeated revocation a write, so its WAIT covers the first one even on a connection that never wrote', async (t) => {
  const app = await appOn(t, { REDIS_WAIT_TIMEOUT_MS: '300' })
  const user = await registerAndLogin(app)
  const replicas = await sentinels.replicas()
  for (const port of replicas) sentinels.signal(port, 'SIGSTOP')
  t.teardown(() => { for (const port of replicas) sentinels.signal(port, 'SIGCONT') })
  const logout = () => app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: user.refreshToken } })
  t.equal((await logout()).statusCode, 503, 'no replica acknowledged the logout')
  // A retry that reaches another instance: a WAIT on a connection that has written nothing returns at once.
  const fresh = new Redis({ host: '127.0.0.1', port: await sentinels.primary(), maxRetriesPerRequest: 1 })
  t.teardown(() => fresh.disconnect())
  defineScripts(fresh)
  const args = [user.sessionId, 'logout', '', app.config.refresh.idleTtlSeconds * 1000]
  const retried = await runScriptDurably(fresh, 'revoke-family', [createKeyNames(app.config.redis.keyPrefix).user(user.userId)], args,
    { replicas: 1, timeoutMs: 300 }).then((reply) => reply, (err: unknown) => err)
  t.match(retried, { name: 'NotReplicatedError', reply: 0 }, 'the retry waits for the replica too (and revoked nothing new)')
  for (const port of replicas) sentinels.signal(port, 'SIGCONT')
  t.equal((await logout()).statusCode, 204, 'answered once a replica holds it')
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400, 'the family is revoked')
})

t.test('keeps an acknowledged logout and logout-all when the primary dies right after the answer', async (t) => {
  const prefix = uniquePrefix()
  const app = await appOn(t, { REDIS_KEY_PREFIX: prefix, REDIS_WAIT_TIMEOUT_MS: '3000' })
  const [byToken, everywhere] = [await registerAndLogin(app), await registerAndLogin(app)]
  await until('both replicas stream from the primary', async () => {
    const replication = await info(sentinels.node(await sentinels.primary()), 'replication')
    return replication.get('connected_slaves') === '2' && ![...replication.values()].some((v) => /state=(?!online)/.test(v))
  }, 20_000)
  const replicas = await sentinels.replicas()
  // Replicas frozen: what the primary answers now exists nowhere else until they resume.
  for (const port of replicas) sentinels.signal(port, 'SIGSTOP')
  const logout = app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: byToken.refreshToken } })
  const logoutAll = app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(everywhere.accessToken) })
  const answered = await settledWithin(Promise.all([logout, logoutAll]), 300)
  for (const port of replicas) sentinels.signal(port, 'SIGCONT')
  t.notOk(answered, 'neither revocation is answered while no replica holds it')
  t.equal((await logout).statusCode, 204, 'logout answered once a replica holds it')
  t.equal((await logoutAll).statusCode, 204, 'logout-all too')
  await sentinels.kill()

  await until('the app reaches the promoted primary', async () => (await app.inject({ url: '/readyz' })).statusCode === 200, 20_000)
  t.equal((await refresh(app, byToken.refreshToken)).statusCode, 400, 'the logged-out family stays revoked')
  t.equal((await refresh(app, everywhere.refreshToken)).statusCode, 400, 'and so do the families ended by logout-all')
  // An instance that boots now replays the log from the promoted primary: the revocations are there too.
  const late = await appOn(t, { REDIS_KEY_PREFIX: prefix })
  // Its feed may still be finding the promoted primary (right after a failover, on a busy machine): the log is judged
  // once the feed has replayed it, as /readyz waits for before a balancer sends this instance any traffic.
  await until('the late instance has replayed the revocation log', () => late.revocations.feed.status().caughtUp, 30_000)
  t.equal((await late.inject({ url: '/me', headers: bearer(everywhere.accessToken) })).statusCode, 401, 'the revocation log kept its entry')
  t.equal((await late.inject({ url: '/me', headers: bearer(byToken.accessToken) })).statusCode, 401, 'for both')
})
