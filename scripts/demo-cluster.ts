// `npm run demo:cluster`: one Redis, three Rotor instances from dist/ sharing one key set and refresh secret, HAProxy
// in front with deploy/haproxy.cfg, and clients calling GET /me and POST /auth/refresh in a loop while one instance
// hangs and is killed with requests in flight (SIGSTOP, SIGKILL) and another is stopped as in a rolling deploy
// (SIGTERM). Prints what every client saw. The scenario is in load-balancer-scenario.ts, which
// test/load-balancer.test.ts runs with the same HAProxy configuration, asserting on its timeline.
// `npm run demo:cluster -- --keep` starts the same Redis, three instances and HAProxy, then leaves them running for
// k6 or curl until Ctrl-C, with the development keys and secret of .rotor/ so `npm run seed` mints tokens they accept.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config.js'
import { resolveKeySet, resolveRefreshSecret } from '../src/dev-secrets.js'
import { startRedisServer } from '../src/redis-server.js'
import { generateKeySetJson } from '../src/tokens/key-set.js'
import {
  checkSessions, CLUSTER_ENV, formatTimeline, haproxyInstalled, loginClient, newTimeline, runFailoverScenario, startBalancer,
  startInstance, type Instance
} from './load-balancer-scenario.js'

const STATE_DIR = '.rotor' // as in server.ts and `rotor seed`
const PREFIX = 'demo:'

/** --keep: the development keys and secret, which `npm run seed` also reads; else throwaway ones for this run. */
async function secrets (keep: boolean): Promise<Record<string, string>> {
  if (!keep) return { JWT_KEYS: await generateKeySetJson('EdDSA'), REFRESH_TOKEN_SECRET: randomBytes(32).toString('base64url') }
  const config = loadConfig({ NODE_ENV: 'development' })
  await resolveKeySet(config, STATE_DIR, () => undefined) // creates the file if this checkout has none yet
  return { JWT_KEYS_FILE: join(STATE_DIR, `dev-jwks-${config.jwt.alg}.json`), REFRESH_TOKEN_SECRET: resolveRefreshSecret(config, STATE_DIR, () => undefined) }
}

function printKept (lb: string, redisUrl: string): void {
  console.log(`Rotor behind HAProxy: ${lb}  (three instances, Redis ${redisUrl}, key prefix ${PREFIX}; development keys from ${STATE_DIR}/)

Seed users for k6, then aim a script at the balancer (refresh tokens are single-use: seed again before each refresh run):
  REDIS_URL=${redisUrl} REDIS_KEY_PREFIX=${PREFIX} npm run seed -- --users 2000 --out k6/tokens.json
  k6 run -e BASE_URL=${lb} k6/validation.js

Running until Ctrl-C.`)
}

async function main (keep: boolean): Promise<void> {
  if (!haproxyInstalled()) throw new Error('haproxy is not on the PATH: apt-get install haproxy (Debian puts it in /usr/sbin), or brew install haproxy')
  const redis = await startRedisServer()
  const env = { ...CLUSTER_ENV, REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX, ...await secrets(keep) }
  const started: Instance[] = []
  let balancer: Awaited<ReturnType<typeof startBalancer>> | undefined
  try {
    const results = await Promise.allSettled(['rotor-1', 'rotor-2', 'rotor-3'].map((name) => startInstance(name, env)))
    const instances = results.flatMap((r) => r.status === 'fulfilled' ? [r.value] : [])
    started.push(...instances)
    for (const r of results) if (r.status === 'rejected') throw r.reason
    const timeline = newTimeline()
    balancer = await startBalancer(instances.map((i) => i.address), timeline)
    if (keep) {
      printKept(balancer.url, redis.url)
      await new Promise((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve) })
      return
    }
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
  main(process.argv.includes('--keep')).catch((err: unknown) => { console.error(err instanceof Error ? err.message : err); process.exit(1) })
}
