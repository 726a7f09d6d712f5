// The load-balancer scenario shared by `npm run demo:cluster` (scripts/demo-cluster.ts) and
// test/load-balancer.test.ts: instances from dist/, HAProxy with deploy/haproxy.cfg, clients looping on /me and
// refresh while one instance hangs and is killed and another drains, and the timeline of what each client saw.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { freePort } from '../src/redis-server.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Above HAProxy's longest server timeout (30 s, password routes): the balancer, not the client, gives up first. */
const CLIENT_TIMEOUT_MS = 35_000
/** Boot of an instance or of HAProxy: seconds idle, much longer on a busy host. */
const STARTUP_TIMEOUT_MS = 120_000

/** What the instances share besides Redis, keys and secret. One client address sends everything: no per-IP limits. */
// Load shedding off: the demo, the test and a k6 run on one laptop share its cores, and a lagging event loop there is
// the laptop's, not something to shed.
export const CLUSTER_ENV = {
  NODE_ENV: 'production', HOST: '127.0.0.1', TRUST_PROXY: '1', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_SECONDS: '5', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '0', RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '0', RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '0'
}

export interface Call { atMs: number, client: number, what: string, status: number, servedBy?: string, retries: number, ms: number }
export interface Timeline { startMs: number, calls: Call[], events: Array<{ atMs: number, text: string }> }
export interface Instance { name: string, kill: (signal: NodeJS.Signals) => void, exited: Promise<number | null> }
export interface Session { client: number, accessToken: string, refreshToken: string, firstAccessToken: string, rotations: number }

export const newTimeline = (): Timeline => ({ startMs: Date.now(), calls: [], events: [] })
const note = (timeline: Timeline, text: string) => timeline.events.push({ atMs: Date.now() - timeline.startMs, text })

export function haproxyInstalled (): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0
}

/**
 * HAProxy in the foreground on a free loopback port; its server state changes are noted in the timeline. `extraEnv`:
 * more of deploy/haproxy.cfg's variables (LB_ROUND_ROBIN).
 */
export async function startBalancer (servers: string[], timeline: Timeline, extraEnv: Record<string, string> = {}) {
  const port = await freePort()
  const addresses = Object.fromEntries(servers.map((address, i) => [`ROTOR_${i + 1}_ADDR`, address]))
  const env = { PATH: process.env.PATH ?? '', LB_BIND: `127.0.0.1:${port}`, LB_SERVED_BY_HEADER: '1', ...addresses, ...extraEnv }
  const child = spawn('haproxy', ['-db', '-f', 'deploy/haproxy.cfg'], { cwd: ROOT, env })
  let output = ''
  createInterface({ input: child.stdout }).on('line', (line) => { output += `${line}\n` })
  createInterface({ input: child.stderr }).on('line', (line) => {
    output += `${line}\n`
    const state = /Server rotor\/(\S+) is (UP|DOWN)(?:, reason: ([^,]+))?/.exec(line)
    if (state !== null) note(timeline, `HAProxy marks ${state[1]} ${state[2]}${state[3] === undefined ? '' : ` (${state[3]})`}`)
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const url = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + STARTUP_TIMEOUT_MS; !(await fetch(`${url}/lb-healthz`).then((res) => res.ok, () => false));) {
    if (child.exitCode !== null || Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`haproxy did not start:\n${output}`) }
    await sleep(50)
  }
  const stop = async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); await exited }
  return { url, output: () => output, stop }
}

async function call (timeline: Timeline, client: number, what: string, url: string, init: RequestInit = {}) {
  const startedMs = Date.now()
  let status = 0 // no answer at all
  let body: Record<string, unknown> = {}
  let headers = new Headers()
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
    ({ status, headers } = res)
    body = await res.json() as Record<string, unknown>
  } catch { /* recorded as status 0 */ }
  const servedBy = headers.get('x-served-by') ?? undefined
  const retries = Math.abs(Number(headers.get('x-lb-retries') ?? 0)) // HAProxy writes "+1" when it redispatched
  timeline.calls.push({ atMs: startedMs - timeline.startMs, client, what, status, servedBy, retries, ms: Date.now() - startedMs })
  return { status, body }
}

/** What came back, for a person: the status and Rotor's error code, or who gave up. */
function answer ({ status, body }: { status: number, body: Record<string, unknown> }): string {
  if (status === 0) return `no answer within ${CLIENT_TIMEOUT_MS / 1000} s`
  if (status === 504) return '504 from HAProxy (timeout server passed before the instance answered)'
  if (status === 502 || status === 503) return `${status}${typeof body.error === 'string' ? ` ${body.error}` : ' from HAProxy (no instance could take it)'}`
  return `${status}${typeof body.error === 'string' ? ` ${body.error}` : ''}`
}

/** fetch options: a JSON POST, and a bearer token (also for the region scenario). */
export const post = (body: unknown, headers: Record<string, string> = {}): RequestInit =>
  ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
export const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } })

/** Registers and logs in one client through the balancer (`headers` go with the login). */
export async function loginClient (url: string, timeline: Timeline, client: number, headers: Record<string, string> = {}): Promise<Session> {
  const email = `client-${client}-${randomBytes(4).toString('hex')}@demo.example`
  const password = randomBytes(12).toString('base64url')
  const registered = await call(timeline, client, 'POST /auth/register', `${url}/auth/register`, post({ email, password }))
  if (registered.status !== 201) throw new Error(`client ${client} could not register: ${answer(registered)}`)
  const loggedIn = await call(timeline, client, 'POST /auth/token', `${url}/auth/token`, post({ email, password }, headers))
  if (loggedIn.status !== 200) throw new Error(`client ${client} registered but could not log in: ${answer(loggedIn)}`)
  const { body } = loggedIn
  const accessToken = body.access_token as string
  return { client, accessToken, refreshToken: body.refresh_token as string, firstAccessToken: accessToken, rotations: 0 }
}

async function refresh (url: string, session: Session, timeline: Timeline): Promise<void> {
  const { status, body } = await call(timeline, session.client, 'POST /auth/refresh', `${url}/auth/refresh`, post({ refresh_token: session.refreshToken }))
  if (status === 200) Object.assign(session, { accessToken: body.access_token, refreshToken: body.refresh_token, rotations: session.rotations + 1 })
}

/**
 * Each looping client: GET /me, POST /auth/refresh, a 20 ms pause, again. At 1.5 s `crash` hangs, every probe sends
 * one refresh at once (round robin puts some of them on the hung instance: 12 probes outnumber the 3 looping clients
 * that can be stuck there), and 300 ms later `crash` is killed with those requests in flight. At 4 s `drain` gets
 * SIGTERM; the clients stop 1 s after it exits.
 */
export async function runFailoverScenario (url: string, clients: Session[], probes: Session[], crash: Instance, drain: Instance, timeline: Timeline) {
  let running = true
  const loop = async (session: Session) => {
    while (running) {
      await call(timeline, session.client, 'GET /me', `${url}/me`, bearer(session.accessToken))
      await refresh(url, session, timeline)
      await sleep(20)
    }
  }
  Object.assign(timeline, { startMs: Date.now(), calls: [], events: [] })
  note(timeline, `${clients.length} clients start: GET /me and POST /auth/refresh in a loop`)
  const loops = clients.map(loop)
  await sleep(1500)
  // A hang, then the kill (as a watchdog or the OOM killer would do it): requests are in flight when it dies.
  crash.kill('SIGSTOP')
  note(timeline, `SIGSTOP ${crash.name} (hangs); clients ${probes[0]?.client}-${probes.at(-1)?.client} send one refresh each`)
  const burst = Promise.all(probes.map((probe) => refresh(url, probe, timeline)))
  await sleep(300)
  crash.kill('SIGKILL')
  note(timeline, `SIGKILL ${crash.name} (crash with requests in flight)`)
  await burst
  await sleep(2200)
  drain.kill('SIGTERM')
  note(timeline, `SIGTERM ${drain.name} (graceful: drains, then closes)`)
  note(timeline, `${drain.name} exited with code ${await drain.exited}`)
  await sleep(1000)
  running = false
  await Promise.all(loops)
  note(timeline, 'clients stop')
}

/** The timeline for people: events, every retried or failed call, and runs of plain 200s folded per second. */
export function formatTimeline (timeline: Timeline): string {
  const at = (ms: number) => `+${String(ms).padStart(5)} ms`
  const items = [...timeline.events, ...timeline.calls].sort((a, b) => a.atMs - b.atMs)
  const lines: string[] = []
  let run: Call[] = []
  const show = (c: Call, retried = '') =>
    lines.push(`${at(c.atMs)}  client ${c.client} ${c.what} → ${c.status || 'no answer'} from ${c.servedBy ?? '?'}${retried} (${c.ms} ms)`)
  const flush = () => {
    if (run.length === 1) show(run[0]!)
    if (run.length <= 1) { run = []; return }
    const by = new Map<string, number>()
    for (const c of run) by.set(c.servedBy ?? '?', (by.get(c.servedBy ?? '?') ?? 0) + 1)
    const servers = [...by].sort().map(([name, n]) => `${name} ${n}`).join(', ')
    lines.push(`${at(run[0]!.atMs)} … ${at(run.at(-1)!.atMs).slice(1)}  ${run.length} calls, all 200 (${servers})`)
    run = []
  }
  for (const item of items) {
    if (!('client' in item)) { flush(); lines.push(`${at(item.atMs)}  ** ${item.text}`); continue }
    if (item.status === 200 && item.retries === 0) {
      if (run.length > 0 && item.atMs - run[0]!.atMs >= 1000) flush()
      run.push(item)
      continue
    }
    flush()
    show(item, item.retries > 0 ? `, retried ${item.retries}× by HAProxy` : '')
  }
  flush()
  return lines.join('\n')
}

/** GET /me with each client's first access token and /auth/sessions with its latest: nobody was logged out. */
export async function checkSessions (url: string, sessions: Session[], timeline: Timeline) {
  return Promise.all(sessions.map(async (s) => {
    const first = await call(timeline, s.client, 'GET /me (first token)', `${url}/me`, bearer(s.firstAccessToken))
    const list = await call(timeline, s.client, 'GET /auth/sessions', `${url}/auth/sessions`, bearer(s.accessToken))
    const sessionsBody = list.body as { sessions?: Array<{ current: boolean, ip: string }> }
    return { client: s.client, rotations: s.rotations, firstTokenStatus: first.status, live: sessionsBody.sessions?.find((x) => x.current) }
  }))
}

export async function startInstance (name: string, env: Record<string, string>) {
  const port = await freePort()
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] })
  let errors = ''
  child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  for (const deadline = Date.now() + STARTUP_TIMEOUT_MS; !(await fetch(`http://127.0.0.1:${port}/readyz`).then((res) => res.ok, () => false));) {
    if (child.exitCode !== null || Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${name} did not become ready:\n${errors}`) }
    await sleep(100)
  }
  return { name, address: `127.0.0.1:${port}`, kill: (signal: NodeJS.Signals) => child.kill(signal), exited }
}
