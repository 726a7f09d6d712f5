// `npm run demo:cluster`: one Redis, three Rotor instances from dist/ sharing one key set and refresh secret, HAProxy
// in front with deploy/haproxy.cfg, and clients calling GET /me and POST /auth/refresh in a loop while one instance
// hangs and is killed with requests in flight (SIGSTOP, SIGKILL) and another is stopped as in a rolling deploy
// (SIGTERM). Prints what every client saw. The scenario is in load-balancer-scenario.ts, which
// test/load-balancer.test.ts runs with the same HAProxy configuration, asserting on its timeline.
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { startRedisServer } from '../src/redis-server.js'
import { generateKeySetJson } from '../src/tokens/key-set.js'
import {
  checkSessions, CLUSTER_ENV, formatTimeline, haproxyInstalled, loginClient, newTimeline, runFailoverScenario, startBalancer,
  startInstance, type Instance
} from './load-balancer-scenario.js'

async function main (): Promise<void> {
  if (!haproxyInstalled()) throw new Error('haproxy is not on the PATH: apt-get install haproxy (Debian puts it in /usr/sbin), or brew install haproxy')
  const redis = await startRedisServer()
  const env = { ...CLUSTER_ENV, REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'demo:', JWT_KEYS: await generateKeySetJson('EdDSA'), REFRESH_TOKEN_SECRET: randomBytes(32).toString('base64url') }
  const started: Instance[] = []
  let balancer: Awaited<ReturnType<typeof startBalancer>> | undefined
  try {
    const results = await Promise.allSettled(['rotor-1', 'rotor-2', 'rotor-3'].map((name) => startInstance(name, env)))
    const instances = results.flatMap((r) => r.status === 'fulfilled' ? [r.value] : [])
    started.push(...instances)
    for (const r of results) if (r.status === 'rejected') throw r.reason
    const timeline = newTimeline()
    balancer = await startBalancer(instances.map((i) => i.address), timeline)
    console.log(`Redis ${redis.url}; ${instances.map((i) => `${i.name} ${i.address}`).join(', ')}; HAProxy ${balancer.url}\n`)
    const sessions = await Promise.all(Array.from({ length: 15 }, (_, i) => loginClient(balancer!.url, timeline, i + 1)))
    await runFailoverScenario(balancer.url, sessions.slice(0, 3), sessions.slice(3), instances[1]!, instances[2]!, timeline)
    console.log(formatTimeline(timeline))
    const calls = timeline.calls.filter((c) => c.what === 'GET /me' || c.what === 'POST /auth/refresh')
    console.log(`\n${calls.length} calls, ${calls.filter((c) => c.status !== 200).length} not 200, ${calls.filter((c) => c.retries > 0).length} retried by HAProxy on another instance`)
    const checked = await checkSessions(balancer.url, sessions, timeline)
    for (const s of checked.slice(0, 3)) console.log(`client ${s.client}: ${s.rotations} rotations of one refresh family`)
    const intact = checked.filter((s) => s.firstTokenStatus === 200 && s.live !== undefined).length
    console.log(`${intact} of ${checked.length} clients: first access token still verifies, session still live`)
  } finally {
    for (const i of started) i.kill('SIGKILL')
    await balancer?.stop()
    await redis.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => { console.error(err instanceof Error ? err.message : err); process.exit(1) })
}
