// Three regions with Rotor processes, shared by `npm run demo:regions` (scripts/demo-regions.ts) and
// `npm run bench:regions` (bench/regions.ts): the three-region Cluster of region-cluster.ts (every inter-region link a
// latency-injecting proxy that can be cut), one Rotor instance per region from dist/ with its region's seeds, NAT map
// and home slots, and clients that live in a region and behave as the API asks (a 503 is retried after Retry-After).
// Every call a client makes is recorded with the region the client is in and the region that served it.
import { randomBytes } from 'node:crypto'
import { generateKeySetJson } from '../../src/tokens/key-set.js'
import { bearer, CLUSTER_ENV, post, startInstance } from '../load-balancer-scenario.js'
import { sleep } from './cluster-admin.js'
import { REGIONS, SHARD_SLOTS, startRegionCluster, type RegionCluster, type RegionClusterOptions } from './region-cluster.js'

/** Above the instances' 3 s command timeout plus a WAIT: the instance, not the client, gives up first. */
const CLIENT_TIMEOUT_MS = 10_000

export interface Site { region: number, url: string, kill: (signal: NodeJS.Signals) => void, exited: Promise<number | null> }
export interface Call { atMs: number, client: string, region: number, via: number, what: string, status: number, error?: string, ms: number }
export interface Timeline { startMs: number, calls: Call[], events: Array<{ atMs: number, text: string }> }
export interface Client {
  name: string
  /** Where the client is (its calls are counted for this region). */
  region: number
  /** The region whose instance the client's DNS gives it now. */
  via: number
  email: string
  password: string
  accessToken: string
  refreshToken: string
  /** Why the client was signed out (`invalid_grant` on a refresh), if it was: the figure a failover must keep at 0. */
  signedOut?: string
}

export interface Deployment {
  cluster: RegionCluster
  sites: Map<number, Site>
  timeline: Timeline
  note (text: string): void
  close (): Promise<void>
}

export const newTimeline = (): Timeline => ({ startMs: Date.now(), calls: [], events: [] })

/** The Cluster, then one instance per region sharing keys, refresh secret and key prefix. */
export async function startDeployment (options: RegionClusterOptions = {}): Promise<Deployment> {
  const cluster = await startRegionCluster(options)
  const sites = new Map<number, Site>()
  const close = async () => {
    for (const site of sites.values()) site.kill('SIGKILL')
    await Promise.all([...sites.values()].map((site) => site.exited))
    await cluster.close()
  }
  try {
    const shared = {
      ...CLUSTER_ENV,
      LOG_LEVEL: 'warn',
      REDIS_URL: 'redis://127.0.0.1',
      REDIS_KEY_PREFIX: 'regions:',
      // A command to a master in another region is a round trip on a link; on a busy laptop, more room than 1 s.
      REDIS_COMMAND_TIMEOUT_MS: '3000',
      // Every client sends from one address, so the per-IP limits are set out of reach, but counted: a login or a
      // refresh pays for its counter's round trip as it would in a deployment (on the region's home master).
      RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '1000000',
      JWT_KEYS: await generateKeySetJson('EdDSA'),
      REFRESH_TOKEN_SECRET: randomBytes(32).toString('base64url')
    }
    const started = await Promise.allSettled(REGIONS.map((region) => startInstance(`region ${region}`, {
      ...shared, ...cluster.envFor(region), REDIS_HOME_SLOTS: SHARD_SLOTS.get(region)!.join('-')
    }).then((instance) => sites.set(region, { region, url: `http://${instance.address}`, kill: instance.kill, exited: instance.exited }))))
    for (const result of started) if (result.status === 'rejected') throw result.reason
  } catch (err) {
    await close()
    throw err
  }
  const timeline = newTimeline()
  return { cluster, sites, timeline, note: (text) => timeline.events.push({ atMs: Date.now() - timeline.startMs, text }), close }
}

export interface Answer { status: number, body: Record<string, unknown>, retryAfterS?: number, ms: number }

/** One call by `client` to the instance of region `via`, recorded in the timeline; status 0 is no answer at all. */
export async function call (d: Deployment, client: { name: string, region: number }, via: number, what: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const startedMs = Date.now()
  let answer: Answer = { status: 0, body: {}, ms: 0 }
  try {
    const res = await fetch(`${d.sites.get(via)!.url}${path}`, { ...init, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) })
    const retryAfter = res.headers.get('retry-after')
    const text = await res.text()
    answer = { status: res.status, body: text === '' ? {} : JSON.parse(text) as Record<string, unknown>, retryAfterS: retryAfter === null ? undefined : Number(retryAfter), ms: 0 }
  } catch { /* no answer: recorded as status 0 */ }
  answer.ms = Date.now() - startedMs
  const error = typeof answer.body.error === 'string' ? answer.body.error : undefined
  d.timeline.calls.push({ atMs: startedMs - d.timeline.startMs, client: client.name, region: client.region, via, what, status: answer.status, error, ms: answer.ms })
  return answer
}

/** `step` until it answers something other than a 503 with Retry-After or no answer (60 s at most), as a client would. */
export async function retrying (step: () => Promise<Answer>): Promise<Answer> {
  for (const deadline = Date.now() + 60_000; ;) {
    const answer = await step()
    const retry = answer.status === 0 || (answer.status === 503 && answer.retryAfterS !== undefined)
    if (!retry || Date.now() > deadline) return answer
    await sleep(1000 * (answer.retryAfterS ?? 1))
  }
}

/** Registers and logs in a client of `region` through its own region's instance. */
export async function newClient (d: Deployment, name: string, region: number): Promise<Client> {
  const email = `${name}-${randomBytes(4).toString('hex')}@regions.example`
  const password = randomBytes(12).toString('base64url')
  const who = { name, region }
  const registered = await retrying(() => call(d, who, region, 'POST /auth/register', '/auth/register', post({ email, password })))
  if (registered.status !== 201) throw new Error(`${name} could not register: ${registered.status} ${JSON.stringify(registered.body)}`)
  const client: Client = { name, region, via: region, email, password, accessToken: '', refreshToken: '' }
  await logIn(d, client)
  return client
}

/** POST /auth/token through region `via` (default: the client's current one, looked up at each try); keeps the tokens. */
export async function logIn (d: Deployment, client: Client, via?: number): Promise<Answer> {
  const answer = await retrying(() => call(d, client, via ?? client.via, 'POST /auth/token', '/auth/token', post({ email: client.email, password: client.password })))
  if (answer.status !== 200) throw new Error(`${client.name} could not log in: ${answer.status} ${JSON.stringify(answer.body)}`)
  Object.assign(client, { accessToken: answer.body.access_token, refreshToken: answer.body.refresh_token })
  return answer
}

/** One refresh as a client makes it (a 503 retried as told); `invalid_grant` signs the client out. */
export async function refresh (d: Deployment, client: Client, via?: number): Promise<Answer> {
  const answer = await retrying(() => call(d, client, via ?? client.via, 'POST /auth/refresh', '/auth/refresh', post({ refresh_token: client.refreshToken })))
  if (answer.status === 200) Object.assign(client, { accessToken: answer.body.access_token, refreshToken: answer.body.refresh_token })
  else if (answer.body.error === 'invalid_grant') client.signedOut = `invalid_grant (${answer.body.error_description ?? 'no description'})`
  return answer
}

export const me = (d: Deployment, client: Client, via?: number, token = client.accessToken): Promise<Answer> =>
  call(d, client, via ?? client.via, 'GET /me', '/me', bearer(token))

export const logoutAll = (d: Deployment, client: Client, via?: number): Promise<Answer> =>
  retrying(() => call(d, client, via ?? client.via, 'POST /auth/logout-all', '/auth/logout-all', { method: 'POST', ...bearer(client.accessToken) }))

/**
 * Each client: GET /me every 250 ms and, beside it, a refresh every `refreshEveryMs` (jittered, so clients do not
 * rotate in step), as an app whose access tokens last a few minutes would, scaled down. A signed-out client stops.
 */
export function runClients (d: Deployment, clients: Client[], refreshEveryMs = 3000): { stop: () => Promise<void> } {
  let running = true
  const live = (client: Client) => running && client.signedOut === undefined
  const validating = async (client: Client) => {
    for (; live(client); await sleep(250)) await me(d, client)
  }
  const refreshing = async (client: Client) => {
    for (await sleep(Math.random() * refreshEveryMs); live(client); await sleep(refreshEveryMs * (0.8 + Math.random() * 0.4))) {
      await refresh(d, client)
    }
  }
  const loops = clients.flatMap((client) => [validating(client), refreshing(client)])
  return { stop: async () => { running = false; await Promise.all(loops) } }
}
