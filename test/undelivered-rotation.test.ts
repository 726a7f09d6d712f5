// Durable mode with a replica that exists but does not acknowledge (frozen with SIGSTOP): every rotation is applied
// on the primary and answered 503. A client that retries its token as Retry-After says, for longer than the grace
// window, is never judged a reuser: the successor was never delivered, so its window restarts with each failed
// hand-out. Once the replica acknowledges again the retry gets the successor. A successor that was delivered still
// ends the window as usual, and a login answered 503 leaves no family behind.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { bearer, buildTestApp, json, login, PASSWORD, rawRedis, refresh, register, registerAndLogin, type Test } from './helper.js'
import { info, scratchDir, sleep, startNodes, until } from './topologies.js'
import type { RedisProcess } from '../src/redis-server.js'

const GRACE_SECONDS = 4 // the least the boot check allows with a 1 s command timeout
const env = {
  REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '300', REDIS_COMMAND_TIMEOUT_MS: '1000',
  REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS), REFRESH_GRACE_MAX_REPLAYS: '2'
}

let primary: RedisProcess
let replica: RedisProcess
t.before(async () => {
  primary = (await startNodes(t, scratchDir(t, 'undelivered-p'), 1, () => []))[0]!
  replica = (await startNodes(t, scratchDir(t, 'undelivered-r'), 1, () => ['--replicaof', '127.0.0.1', String(primary.port)]))[0]!
  const redis = await rawRedis(t, primary.url)
  await until('the replica is online', async () => /state=online/.test((await info(redis, 'replication')).get('slave0') ?? ''))
})

const app = (test: Test): Promise<FastifyInstance> => buildTestApp(test, { redisUrl: primary.url, env, storeClock: 'redis' })

/** Run `body` with the replica frozen: it stays connected (so it counts) but acknowledges nothing. */
async function frozen<T> (body: () => Promise<T>): Promise<T> {
  replica.process.kill('SIGSTOP')
  try {
    return await body()
  } finally {
    replica.process.kill('SIGCONT')
  }
}

/** Retry `token` as Retry-After says until `stop` holds for an answer; returns every answer. */
async function retryAsTold (app: FastifyInstance, token: string, stop: (res: LightMyRequestResponse, elapsedMs: number) => boolean) {
  const started = Date.now()
  const answers: LightMyRequestResponse[] = []
  for (let attempt = 0; attempt < 30; attempt++) {
    const res = await refresh(app, token)
    answers.push(res)
    if (stop(res, Date.now() - started) || res.statusCode !== 503) break
    await sleep(Number(res.headers['retry-after']) * 1000)
  }
  return answers
}

t.test('a client retrying an answered-503 rotation for longer than the grace window is never judged a reuser', async (t) => {
  const server = await app(t)
  const user = await registerAndLogin(server)
  // Frozen for well over the grace window: today's rule (window from the rotation) would call the retry a reuse.
  const during = await frozen(() => retryAsTold(server, user.refreshToken, (_res, elapsedMs) => elapsedMs > (GRACE_SECONDS + 3) * 1000))
  t.comment(`while frozen: ${during.map((r) => r.statusCode).join(' ')}`)
  t.ok(during.length >= 4, 'retried more often than the replay limit allows, over more than the grace window')
  t.same(during.map((r) => r.statusCode), during.map(() => 503), 'every answer while the replica is frozen is 503')
  t.notMatch(during.map((r) => r.body).join(''), /refresh_token/, 'and hands out no token')

  const after = await retryAsTold(server, user.refreshToken, () => false)
  const last = after[after.length - 1]!
  t.equal(last.statusCode, 200, `the retry once the replica is back gets the successor (${after.map((r) => r.statusCode).join(' ')})`)
  const successor = json<{ refresh_token: string }>(last).refresh_token
  const next = await refresh(server, successor)
  t.equal(next.statusCode, 200, 'the family goes on')

  // A real replay of an older generation is still reuse, and revokes the family.
  t.equal((await refresh(server, user.refreshToken)).statusCode, 400, 'the original token, two generations back, is reuse')
  t.equal((await refresh(server, json<{ refresh_token: string }>(next).refresh_token)).statusCode, 400, 'the family is revoked')
})

t.test('a successor that was delivered still ends the grace window, replica frozen or not', async (t) => {
  const server = await app(t)
  const events: string[] = []
  server.audit.on((event) => { events.push(event.event) })
  const user = await registerAndLogin(server)
  t.equal((await refresh(server, user.refreshToken)).statusCode, 200, 'the successor is delivered')
  const answers = await frozen(() => retryAsTold(server, user.refreshToken, (res, elapsedMs) => res.statusCode !== 503 || elapsedMs > (GRACE_SECONDS + 2) * 1000))
  t.comment(`replays while frozen: ${answers.map((r) => r.statusCode).join(' ')}`)
  t.equal(answers[0]!.statusCode, 503, 'a replay while frozen is 503')
  t.ok(events.includes('refresh_reuse_detected'), 'the reuse detected while frozen is a security event, though answered 503')
  const late = answers[answers.length - 1]!.statusCode === 503 ? await refresh(server, user.refreshToken) : answers[answers.length - 1]!
  t.equal(late.statusCode, 400, 'a replay after the window is refused: failed replays do not restart the window of a delivered successor')
})

t.test('a login answered 503 leaves no family that would count against the session limit', async (t) => {
  const server = await app(t)
  const user = await register(server)
  const res = await frozen(() => login(server, user.email, PASSWORD))
  t.equal(res.statusCode, 503, 'the login is answered 503')
  const redis = await rawRedis(t, primary.url)
  const fields = await redis.hkeys(`${server.config.redis.keyPrefix}{${user.id}}:user`)
  t.same(fields.filter((f) => f.startsWith('f:')), [], 'the family it created on the primary is deleted')
  t.equal((await login(server, user.email, PASSWORD)).statusCode, 200, 'the retried login succeeds')
})

t.test('a logout answered 503 still ends the access tokens of the session it revoked on the primary', async (t) => {
  const server = await app(t)
  const user = await registerAndLogin(server)
  const me = () => server.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })
  t.equal((await me()).statusCode, 200)
  const res = await frozen(() => server.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: user.refreshToken } }))
  t.equal(res.statusCode, 503, 'the logout is answered 503')
  // Its retry finds no live family to announce; the announcement was made when the revocation first ran.
  t.equal((await server.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: user.refreshToken } })).statusCode, 204)
  await until('the access token is refused', async () => (await me()).statusCode === 401, 10_000)
  t.pass('the access token is refused')
})
