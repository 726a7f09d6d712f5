// `npm run demo:regions`: three regions on loopback (docs/regions.md): nine Redis Cluster nodes, every inter-region
// link through a latency-injecting proxy (40 ms each way by default), one Rotor instance per region, and clients in
// every region validating and refreshing in a loop. The story: a region-1 user roams (logs in through region 2,
// refreshes through region 3, is verified everywhere); a logout-all in region 3 reaches regions 1 and 2; region 1 is
// cut off, then healed, and its home moved back (CLUSTER FAILOVER); region 1 is lost. Prints what the clients of each
// region saw, second by second, and the figures.
//   --latency MS       one-way latency of every inter-region link (default 40)
//   --cut-seconds S    how long region 1 stays cut off (default 10; 0 skips the partition)
//   --no-kill          keep region 1 alive at the end
import { parseArgs } from 'node:util'
import { sleep, until } from './regions/cluster-admin.js'
import { SHARD_SLOTS } from './regions/region-cluster.js'
import { loseRegion, revocationReach } from './regions/region-measures.js'
import { formatTimeline, formatTotals, totals } from './regions/region-report.js'
import { logIn, me, newClient, refresh, runClients, startDeployment, type Client, type Deployment } from './regions/region-scenario.js'

const { values: args } = parseArgs({
  options: { latency: { type: 'string', default: '40' }, 'cut-seconds': { type: 'string', default: '10' }, 'no-kill': { type: 'boolean', default: false } }
})
const latencyMs = Number(args.latency)
const cutSeconds = Number(args['cut-seconds'])
if (!Number.isFinite(latencyMs) || latencyMs < 0 || !Number.isFinite(cutSeconds) || cutSeconds < 0) {
  console.error('--latency and --cut-seconds take a number ≥ 0')
  process.exit(2)
}

const shard1 = SHARD_SLOTS.get(1)![0]

/** A region-1 user logs in through region 2, refreshes through region 3, and every region verifies the token. */
async function roam (d: Deployment, user: Client) {
  const login = await logIn(d, user, 2)
  const rotated = await refresh(d, user, 3)
  const verified = await Promise.all([1, 2, 3].map((r) => me(d, user, r)))
  d.note(`a region-1 user logs in through region 2 (${login.status}, ${login.ms} ms), refreshes through region 3 ` +
    `(${rotated.status}, ${rotated.ms} ms); GET /me in regions 1, 2, 3: ${verified.map((v) => v.status).join(', ')}`)
}

/** Region 1 cut off for `seconds`, healed, then its home moved back to region 1 by a coordinated failover. */
async function partition (d: Deployment, seconds: number) {
  d.cluster.isolate(1)
  d.note(`region 1 cut off from regions 2 and 3 for ${seconds} s`)
  const viewer = d.cluster.nodes.find((n) => n.region === 2)
  const moved = until('region 1\'s slots to move', async () => (await d.cluster.masterOf(shard1, viewer))?.region !== 1, seconds * 1000)
    .then(() => d.note('regions 2 and 3 elected a new master for region 1\'s slots (region 2\'s replica)'), () => undefined)
  await sleep(seconds * 1000)
  await moved
  d.cluster.heal()
  d.note('region 1 reconnected')
  await d.cluster.waitUntilSettled(60_000)
  const home = d.cluster.nodes.find((n) => n.region === 1 && n.shard === 1)!
  if ((await d.cluster.masterOf(shard1))?.region === 1) return
  d.note('the old master in region 1 has rejoined as a replica; operator: CLUSTER FAILOVER on it (docs/regions.md)')
  await d.cluster.admin(home).cluster('FAILOVER')
  await until('region 1 to be home again', async () => (await d.cluster.masterOf(shard1, viewer))?.region === 1, 60_000)
  await d.cluster.waitUntilSettled(60_000)
  d.note('region 1 is home again for its users (coordinated failover, nothing lost)')
}

async function main () {
  const started = Date.now()
  console.log(`Starting three regions: 9 Redis Cluster nodes, ${latencyMs} ms each way between regions, one Rotor instance per region…`)
  const d = await startDeployment({ latencyMs })
  try {
    console.log(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${[...d.sites.values()].map((s) => `region ${s.region} ${s.url}`).join(', ')}\n`)
    const clients: Client[] = []
    for (const region of [1, 2, 3]) for (const name of ['a', 'b']) clients.push(await newClient(d, `r${region}-${name}`, region))
    const traveller = await newClient(d, 'r1-traveller', 1)
    const revoked = await newClient(d, 'r1-revoked', 1)
    Object.assign(d.timeline, { startMs: Date.now(), calls: [], events: [] })
    d.note(`${clients.length} clients, 2 per region, each through its own region: GET /me every 250 ms, a refresh every ~3 s`)
    const loops = runClients(d, clients)
    await sleep(3000)
    await roam(d, traveller)
    const reach = await revocationReach(d, revoked, 3, 1)
    d.note(`logout-all through region 3 (answered in ${reach.logoutAllMs.p50} ms, after a replica in another region held it): ` +
      `region 1 rejects the token ${reach.reachMs[1]!.p50} ms later, region 2 ${reach.reachMs[2]!.p50} ms later`)
    await sleep(2000)
    if (cutSeconds > 0) {
      await partition(d, cutSeconds)
      await sleep(3000)
    }
    const loss = args['no-kill'] ? undefined : await loseRegion(d, 1, clients)
    await sleep(3000)
    await loops.stop()
    d.note('clients stop')

    console.log(formatTimeline(d.timeline))
    console.log(`\n${formatTotals(totals(d.timeline))}`)
    if (loss !== undefined) {
      console.log(`region 1 lost: new master for its slots after ${loss.failoverMs ?? '(none within 60 s)'} ms; its ${loss.clients} ` +
        `clients served again ${loss.servedAgainMs.p50 ?? '?'}–${loss.servedAgainMs.p99 ?? '?'} ms after the loss (target 30,000)`)
    }
    const signedOut = clients.filter((c) => c.signedOut !== undefined)
    console.log(`clients signed out: ${signedOut.length} of ${clients.length} (target 0)${signedOut.map((c) => `\n  ${c.name}: ${c.signedOut}`).join('')}`)
    const still = await Promise.all(clients.filter((c) => c.signedOut === undefined).map(async (c) => (await refresh(d, c)).status === 200))
    console.log(`${still.filter(Boolean).length} of ${still.length} refresh once more, through the region they are routed to now`)
  } finally {
    await d.close()
  }
}

main().catch((err: unknown) => { console.error(err instanceof Error ? err.stack : err); process.exit(1) })
