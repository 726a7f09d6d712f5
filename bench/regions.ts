// `npm run bench:regions`: issue 11's figures on three regions on this machine (scripts/regions/region-scenario.ts:
// nine Cluster nodes, 40 ms each way between regions, one Rotor instance per region, clients looping in every region).
// Home against roaming refresh and login latency at the injected round trip, a logout-all's reach to the other
// regions (p50/p99), the recovery after region 1 is lost, and how many users that failover signed out (target 0).
// Prints a table and writes bench/results/regions.json. BENCH_REGIONS_SAMPLES scales the sample counts (default 30).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './child.js'
import { sleep } from '../scripts/regions/cluster-admin.js'
import { homeAndRoaming, loseRegion, revocationReach, type Spread } from '../scripts/regions/region-measures.js'
import { totals } from '../scripts/regions/region-report.js'
import { newClient, refresh, runClients, startDeployment, type Client } from '../scripts/regions/region-scenario.js'

const samples = Number(process.env.BENCH_REGIONS_SAMPLES ?? 30)
const latencyMs = Number(process.env.BENCH_REGIONS_LATENCY_MS ?? 40)
if (!Number.isInteger(samples) || samples < 1 || !Number.isFinite(latencyMs) || latencyMs < 0) {
  console.error('BENCH_REGIONS_SAMPLES takes a whole number ≥ 1, BENCH_REGIONS_LATENCY_MS a number ≥ 0')
  process.exit(2)
}
const log = (message: string) => console.error(`[regions] ${message}`)
const ms = (value: number | undefined) => value === undefined ? '—' : `${value} ms`
const row = (what: string, s: Spread) => `| ${what} | ${s.samples} | ${ms(s.p50)} | ${ms(s.p99)} |`

log(`starting: 9 nodes, ${latencyMs} ms each way between regions, 3 instances`)
const d = await startDeployment({ latencyMs })
try {
  const clients: Client[] = []
  for (const region of [1, 2, 3]) for (const name of ['a', 'b', 'c']) clients.push(await newClient(d, `r${region}-${name}`, region))
  const loops = runClients(d, clients)
  log(`home vs roaming: ${samples} refreshes and ${Math.ceil(samples / 6)} logins each way`)
  const paths = await homeAndRoaming(d, await newClient(d, 'r1-measured', 1), 2, samples, Math.ceil(samples / 6))
  log(`revocation reach: ${samples} logout-alls through region 3`)
  const reach = await revocationReach(d, await newClient(d, 'r1-revoked', 1), 3, samples)
  await sleep(2000)
  log('region 1 lost')
  const loss = await loseRegion(d, 1, clients)
  await sleep(3000)
  await loops.stop()
  const signedOut = clients.filter((c) => c.signedOut !== undefined).length
  const still = await Promise.all(clients.filter((c) => c.signedOut === undefined).map(async (c) => (await refresh(d, c)).status === 200))
  const others = totals(d.timeline).filter((t) => t.region !== 1)

  console.log(`Three regions, ${latencyMs} ms each way (${2 * latencyMs} ms round trip), clients looping in every region\n`)
  console.log('| measure | samples | p50 | p99 |\n| --- | --- | --- | --- |')
  for (const p of paths) console.log(`${row(`${p.path}, home region`, p.home)}\n${row(`${p.path}, roaming (through region 2)`, p.roaming)}`)
  console.log(row('logout-all answered (waits for a replica in another region)', reach.logoutAllMs))
  for (const [region, s] of Object.entries(reach.reachMs)) console.log(row(`logout-all in region 3 → rejected in region ${region}`, s))
  console.log(row('region 1 lost → its users served again (target 30,000 ms)', loss.servedAgainMs))
  console.log(`\nregion 1 lost: new master for its slots after ${ms(loss.failoverMs)}; users signed out by the failover: ${signedOut} of ${clients.length} ` +
    `(target 0); ${still.filter(Boolean).length} of ${still.length} refresh once more afterwards`)
  for (const t of others) console.log(`clients of region ${t.region} meanwhile: ${t.calls} calls, ${t.ok} answered 2xx, ${t.retried503} answered 503 (retried), ${JSON.stringify(t.other)} else`)
  const dir = join(REPO_ROOT, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'regions.json'), `${JSON.stringify({ latencyMs, samples, paths, reach, loss, signedOut, clients: clients.length, others }, null, 2)}\n`)
} finally {
  await d.close()
}
