// `npm run bench:affinity`: what balancer affinity buys (issue 11, "affinity as speed, never correctness"). One Redis,
// three Rotor instances from dist/, HAProxy with deploy/haproxy.cfg: sessions log in, then each sends GET /me calls
// with its access token and refreshes now and then. Measured twice in one run, with the session-id hash of the
// shipped file and with plain round robin (LB_ROUND_ROBIN), then with affinity while one instance is killed halfway:
// the share of verifications the instances had to do in full (rotor_access_token_verifications_total), and every
// call that did not answer 200. BENCH_AFFINITY_SESSIONS (default 60) and BENCH_AFFINITY_CALLS (GET /me per access
// token, default 20) size it. Prints a table and writes bench/results/affinity.json.
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startRedisServer } from '../src/redis-server.js'
import { generateKeySetJson } from '../src/tokens/key-set.js'
import {
  bearer, CLUSTER_ENV, haproxyInstalled, loginClient, newTimeline, post, startBalancer, startInstance, type Session
} from '../scripts/load-balancer-scenario.js'
import { REPO_ROOT } from './child.js'

const sessions = Number(process.env.BENCH_AFFINITY_SESSIONS ?? 60)
const callsPerToken = Number(process.env.BENCH_AFFINITY_CALLS ?? 20)
const TOKENS_PER_SESSION = 3 // the first access token and two refreshed ones
if (!Number.isInteger(sessions) || sessions < 1 || !Number.isInteger(callsPerToken) || callsPerToken < 1) {
  console.error('BENCH_AFFINITY_SESSIONS and BENCH_AFFINITY_CALLS take whole numbers ≥ 1')
  process.exit(2)
}
if (!haproxyInstalled()) throw new Error('haproxy is not on the PATH: apt-get install haproxy')
const log = (message: string) => console.error(`[affinity] ${message}`)

type Instance = Awaited<ReturnType<typeof startInstance>>
interface Phase { mode: string, calls: number, notOk: number, full: number, cached: number, coldRatio: number }

/** Full and cached verifications so far, summed over the instances still running. */
async function verifications (instances: Instance[]): Promise<{ full: number, cached: number }> {
  let full = 0
  let cached = 0
  for (const instance of instances) {
    const text = await fetch(`http://${instance.address}/metrics`).then((res) => res.text(), () => '')
    const value = (path: string) => Number(new RegExp(`^rotor_access_token_verifications_total\\{path="${path}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0)
    full += value('full')
    cached += value('cache')
  }
  return { full, cached }
}

/** The status of one call, its body read (an unread body holds its connection). */
async function statusOf (url: string, init: RequestInit): Promise<number> {
  const res = await fetch(url, init).catch(() => undefined)
  await res?.arrayBuffer()
  return res?.status ?? 0
}

/** Each session: `callsPerToken` GET /me with its token, then a refresh, for TOKENS_PER_SESSION tokens. */
async function workload (url: string, all: Session[], halfway: () => void): Promise<{ calls: number, notOk: number }> {
  let calls = 0
  let notOk = 0
  const count = (status: number) => { calls++; if (status !== 200) notOk++ }
  const one = async (session: Session, index: number) => {
    for (let token = 0; token < TOKENS_PER_SESSION; token++) {
      if (token === 1 && index === 0) halfway()
      for (let i = 0; i < callsPerToken; i++) count(await statusOf(`${url}/me`, bearer(session.accessToken)))
      const res = await fetch(`${url}/auth/refresh`, post({ refresh_token: session.refreshToken }))
      count(res.status)
      const body = await res.json() as { access_token?: string, refresh_token?: string }
      if (res.ok) Object.assign(session, { accessToken: body.access_token, refreshToken: body.refresh_token })
    }
  }
  await Promise.all(all.map(one))
  return { calls, notOk }
}

async function phase (mode: string, instances: Instance[], env: Record<string, string>, kill?: Instance): Promise<Phase> {
  const timeline = newTimeline()
  const balancer = await startBalancer(instances.map((i) => i.address), timeline, env)
  try {
    const all = await Promise.all(Array.from({ length: sessions }, (_, i) => loginClient(balancer.url, timeline, i + 1)))
    // Counted on the instances that stay: a killed one's counts go with it.
    const counted = instances.filter((i) => i !== kill)
    const before = await verifications(counted)
    const { calls, notOk } = await workload(balancer.url, all, () => { if (kill !== undefined) { kill.kill('SIGKILL'); log(`${kill.name} killed`) } })
    const after = await verifications(counted)
    const [full, cached] = [after.full - before.full, after.cached - before.cached]
    return { mode, calls, notOk, full, cached, coldRatio: full / Math.max(1, full + cached) }
  } finally {
    await balancer.stop()
  }
}

const redis = await startRedisServer()
const instances: Instance[] = []
try {
  const env = { ...CLUSTER_ENV, LOG_LEVEL: 'warn', REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'affinity:', JWT_KEYS: await generateKeySetJson('EdDSA'), REFRESH_TOKEN_SECRET: randomBytes(32).toString('base64url') }
  for (const name of ['rotor-1', 'rotor-2', 'rotor-3']) instances.push(await startInstance(name, env))
  log(`${sessions} sessions × ${TOKENS_PER_SESSION} access tokens × ${callsPerToken} GET /me, three instances`)
  const results = [
    await phase('session affinity (deploy/haproxy.cfg)', instances, {}),
    await phase('round robin (LB_ROUND_ROBIN)', instances, { LB_ROUND_ROBIN: '1' }),
    await phase('session affinity, rotor-2 killed halfway', instances, {}, instances[1])
  ]
  const lines = [
    `Three instances behind HAProxy: ${sessions} sessions, ${TOKENS_PER_SESSION} access tokens each, ${callsPerToken} GET /me per token`, '',
    '| balancing | calls | not 200 | verified in full | from the cache | cold-verify ratio |', '| --- | --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.mode} | ${r.calls} | ${r.notOk} | ${r.full} | ${r.cached} | ${(100 * r.coldRatio).toFixed(1)} % |`),
    '', `Perfect affinity verifies each token once: ${(100 / callsPerToken).toFixed(1)} %; round robin up to once per instance. With an instance killed, only the two that stay are counted.`
  ]
  console.log(lines.join('\n'))
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'affinity.json'), `${JSON.stringify({ sessions, callsPerToken, tokensPerSession: TOKENS_PER_SESSION, results }, null, 2)}\n`)
} finally {
  for (const instance of instances) instance.kill('SIGKILL')
  await redis.stop()
}
