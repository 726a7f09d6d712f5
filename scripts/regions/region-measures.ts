// The figures issue 11 asks of three regions, measured on a running deployment (region-scenario.ts): home against
// roaming latency of refresh and login at the injected round trip, how long a logout-all in one region takes to
// reach the other regions' verifiers, and, after a region is lost, how long its users wait to be served again.
import { sleep, until } from './cluster-admin.js'
import { SHARD_SLOTS, candidateRegion } from './region-cluster.js'
import { logIn, logoutAll, refresh, type Client, type Deployment } from './region-scenario.js'
import { median, percentile } from '../../bench/stats.js'

export interface Spread { samples: number, p50?: number, p99?: number }
const spread = (samples: number[]): Spread => samples.length === 0 ? { samples: 0 } : { samples: samples.length, p50: median(samples), p99: percentile(samples, 99) }

export interface PathLatency { path: string, home: Spread, roaming: Spread }

/** `refreshes` refreshes and `logins` logins of `client`, first through its home region, then through `roamingVia`. */
export async function homeAndRoaming (d: Deployment, client: Client, roamingVia: number, refreshes: number, logins: number): Promise<PathLatency[]> {
  const measure = async (via: number) => {
    const refreshMs: number[] = []
    const loginMs: number[] = []
    for (let i = 0; i < refreshes; i++) {
      const answer = await refresh(d, client, via)
      if (answer.status !== 200) throw new Error(`refresh through region ${via}: ${answer.status}`)
      refreshMs.push(answer.ms)
    }
    for (let i = 0; i < logins; i++) loginMs.push((await logIn(d, client, via)).ms)
    return { refreshMs, loginMs }
  }
  const home = await measure(client.region)
  const roaming = await measure(roamingVia)
  return [
    { path: 'POST /auth/refresh', home: spread(home.refreshMs), roaming: spread(roaming.refreshMs) },
    { path: 'POST /auth/token', home: spread(home.loginMs), roaming: spread(roaming.loginMs) }
  ]
}

/** Whether region `via`'s instance still accepts `token` (GET /me, not recorded in the timeline). */
const accepted = async (d: Deployment, via: number, token: string): Promise<boolean> =>
  (await fetch(`${d.sites.get(via)!.url}/me`, { headers: { authorization: `Bearer ${token}` } })).status === 200

export interface RevocationReach { logoutAllMs: Spread, reachMs: Record<number, Spread> }

/**
 * `samples` times: `client` logs in at home, a logout-all goes through region `via`, and every other region's
 * instance is polled every 5 ms until it rejects the access token; timed from the logout-all's answer.
 */
export async function revocationReach (d: Deployment, client: Client, via: number, samples: number): Promise<RevocationReach> {
  const others = [...d.sites.keys()].filter((r) => r !== via)
  const reach = new Map<number, number[]>(others.map((r) => [r, []]))
  const answered: number[] = []
  for (let i = 0; i < samples; i++) {
    await logIn(d, client, client.region)
    const token = client.accessToken
    for (const region of others) await until(`region ${region} to accept a new login's token`, () => accepted(d, region, token), 30_000)
    const done = await logoutAll(d, client, via)
    if (done.status !== 204) throw new Error(`logout-all through region ${via}: ${done.status}`)
    const atMs = Date.now()
    answered.push(done.ms)
    await Promise.all(others.map(async (region) => {
      for (const deadline = atMs + 30_000; await accepted(d, region, token); await sleep(5)) {
        if (Date.now() > deadline) throw new Error(`region ${region} still accepts a token 30 s after a logout-all`)
      }
      reach.get(region)!.push(Date.now() - atMs)
    }))
  }
  return { logoutAllMs: spread(answered), reachMs: Object.fromEntries([...reach].map(([region, ms]) => [region, spread(ms)])) }
}

export interface RegionLoss { region: number, failoverMs?: number, servedAgainMs: Spread, clients: number }

/**
 * Region `region` lost: its nodes and its instance killed; its clients' DNS sends them to the region of the shard's
 * failover candidate. Returns once each of them has been answered 200 on a refresh sent after the kill (60 s at most).
 */
export async function loseRegion (d: Deployment, region: number, clients: Client[]): Promise<RegionLoss> {
  const killedAtMs = Date.now()
  d.cluster.kill(region)
  d.sites.get(region)!.kill('SIGKILL')
  const moved = clients.filter((c) => c.region === region)
  for (const c of moved) c.via = candidateRegion(region)
  d.note(`region ${region} lost: its 3 data nodes and its instance SIGKILLed; its clients now reach region ${candidateRegion(region)}`)
  let failoverMs: number | undefined
  const viewer = d.cluster.nodes.find((n) => n.region === candidateRegion(region))
  for (const deadline = killedAtMs + 60_000; failoverMs === undefined && Date.now() < deadline; await sleep(100)) {
    const master = await d.cluster.masterOf(SHARD_SLOTS.get(region)![0], viewer).catch(() => undefined)
    if (master !== undefined && master.region !== region) failoverMs = Date.now() - killedAtMs
  }
  d.note(failoverMs === undefined ? `no new master for region ${region}'s slots within 60 s` : `region ${region}'s slots have a new master in region ${candidateRegion(region)}, ${failoverMs} ms after the loss`)
  const servedAgain = async (c: Client) => {
    for (const deadline = killedAtMs + 60_000; Date.now() < deadline; await sleep(200)) {
      const ok = d.timeline.calls.find((call) => call.client === c.name && call.what === 'POST /auth/refresh' && call.status === 200 &&
        d.timeline.startMs + call.atMs > killedAtMs)
      if (ok !== undefined) return d.timeline.startMs + ok.atMs + ok.ms - killedAtMs
      if (c.signedOut !== undefined) return undefined
    }
    return undefined
  }
  const served = (await Promise.all(moved.map(servedAgain))).filter((ms): ms is number => ms !== undefined)
  return { region, failoverMs, servedAgainMs: spread(served), clients: moved.length }
}
