// Several instances behind a load balancer: three built servers on one Redis with one key set and one refresh secret,
// HAProxy in front with deploy/haproxy.cfg. While clients call GET /me and POST /auth/refresh in a loop, one instance
// is SIGKILLed and another SIGTERMed, and no client sees anything but 200: HAProxy replays what is safe to replay on
// another instance, and the drain keeps the stopping instance serving until the balancer has taken it out of rotation.
// A session's bearer calls stick to one instance (affinity, for its verified-token cache) until that instance goes.
// The scenario is the one `npm run demo:cluster` prints (scripts/demo-cluster.ts).
import t from 'tap'
import { freePort } from '../src/redis-server.js'
import {
  checkSessions, CLUSTER_ENV, formatTimeline, haproxyInstalled, loginClient, newTimeline, runFailoverScenario, startBalancer
} from '../scripts/load-balancer-scenario.js'
import { buildTestApp, json } from './helper.js'
import { productionEnv, startServer, waitUntilReady } from './server-process.js'

const DRAIN_MS = Number(CLUSTER_ENV.SHUTDOWN_DRAIN_SECONDS) * 1000

t.test('a crashed and a gracefully stopped instance cost the clients behind HAProxy no failed call and no session', async (t) => {
  // CI installs haproxy like redis-server: a missing binary is a broken setup, not a reason to skip.
  if (!haproxyInstalled()) throw new Error('haproxy is not on the PATH: apt-get install haproxy (this test needs the real balancer)')
  const shared = await productionEnv(0, CLUSTER_ENV) // one key set, secret and key prefix for all three
  const instances = await Promise.all(['rotor-1', 'rotor-2', 'rotor-3'].map(async (name) => {
    const port = await freePort()
    const server = startServer(t, { ...shared, PORT: String(port) })
    await waitUntilReady(`http://127.0.0.1:${port}`, server)
    return { name, port, server, kill: (signal: NodeJS.Signals) => server.child.kill(signal), exited: server.exited }
  }))
  const [, crashed, drained] = instances as [typeof instances[0], typeof instances[0], typeof instances[0]]
  const timeline = newTimeline()
  const balancer = await startBalancer(instances.map((i) => `127.0.0.1:${i.port}`), timeline)
  t.teardown(balancer.stop)

  // Client 1 forges X-Forwarded-For: HAProxy must replace it, or it could pick its own rate-limit bucket.
  const forged = { 'x-forwarded-for': '203.0.113.7' }
  const sessions = await Promise.all(Array.from({ length: 15 }, (_, i) => loginClient(balancer.url, timeline, i + 1, i === 0 ? forged : {})))
  const [clients, probes] = [sessions.slice(0, 3), sessions.slice(3)]
  await runFailoverScenario(balancer.url, clients, probes, crashed, drained, timeline)
  t.comment(formatTimeline(timeline))

  const event = (text: string) => timeline.events.find((e) => e.text.startsWith(text))?.atMs ?? NaN
  const calls = timeline.calls.filter((c) => c.what === 'GET /me' || c.what === 'POST /auth/refresh')
  t.ok(calls.length > 200, `the clients kept calling (${calls.length} calls)`)
  t.same(calls.filter((c) => c.status !== 200), [], 'every call answered 200: no failure visible to a client')
  t.comment(`${calls.filter((c) => c.retries > 0).length} calls were retried by HAProxy on another instance`)

  const hungAt = event('SIGSTOP rotor-2')
  const killedAt = event('SIGKILL rotor-2')
  const before = calls.filter((c) => c.atMs + c.ms < hungAt)
  t.same(new Set(before.map((c) => c.servedBy)), new Set(['rotor-1', 'rotor-2', 'rotor-3']), 'the calls were spread over all three')
  // Affinity (deploy/haproxy.cfg): a session's bearer calls go to one instance, refreshes (no bearer) take turns.
  for (const client of clients) {
    const mine = before.filter((c) => c.client === client.client && c.retries === 0)
    t.equal(new Set(mine.filter((c) => c.what === 'GET /me').map((c) => c.servedBy)).size, 1, `client ${client.client}: every GET /me on one instance`)
  }
  t.ok(new Set(before.filter((c) => c.what === 'POST /auth/refresh').map((c) => c.servedBy)).size > 1, 'refreshes on more than one')
  t.ok(event('HAProxy marks rotor-2 DOWN') > killedAt, 'HAProxy took the crashed instance out')
  t.same(calls.filter((c) => c.atMs > hungAt + 50 && c.servedBy === 'rotor-2'), [], 'nothing was answered by the hung, then dead instance')
  const probeClients = new Set(probes.map((p) => p.client))
  const replayed = calls.filter((c) => probeClients.has(c.client) && c.retries > 0)
  t.ok(replayed.length > 0, `refreshes in flight on the instance when it died were replayed on another (${replayed.length})`)

  const stoppedAt = event('SIGTERM rotor-3')
  const outOfRotationAt = event('HAProxy marks rotor-3 DOWN')
  const exitedAt = event('rotor-3 exited with code 0')
  t.ok(outOfRotationAt > stoppedAt && outOfRotationAt < exitedAt, 'the stopping instance left the rotation (readiness 503) before it closed')
  t.ok(exitedAt - stoppedAt >= DRAIN_MS - 100, `it kept serving for the drain period (${exitedAt - stoppedAt} ms)`)
  t.ok(calls.some((c) => c.servedBy === 'rotor-3' && c.atMs > stoppedAt), 'it answered calls after SIGTERM, while draining')
  t.match(drained.server.output(), /draining: not ready, still serving/, 'it logged the drain')

  for (const s of await checkSessions(balancer.url, sessions, timeline)) {
    t.ok(probeClients.has(s.client) ? s.rotations === 1 : s.rotations > 20, `client ${s.client}: one refresh family kept rotating (${s.rotations})`)
    t.equal(s.firstTokenStatus, 200, `client ${s.client}: the first access token still verifies`)
    t.ok(s.live !== undefined, `client ${s.client}: the session is still live in Redis`)
    if (s.client === 1) t.equal(s.live?.ip, '127.0.0.1', 'the session records the real client address, not the forged one')
  }
})

t.test('a draining instance reports not ready but still serves, ending each connection after its response', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200)
  app.readiness.startDraining()
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 503, 'the balancer takes it out of rotation')
  t.equal(json(ready).error, 'temporarily_unavailable')
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'alive: no orchestrator restarts it')
  const served = await app.inject({ url: '/.well-known/jwks.json' })
  t.equal(served.statusCode, 200, 'requests are still served')
  t.equal(served.headers.connection, 'close', 'no idle keep-alive connection is left for close() to cut')
})
