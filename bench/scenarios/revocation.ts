// Scenario 4: how long an access token outlives logout-all on another instance. Two app instances share one Redis;
// for each of K users: check instance B accepts the token (it is then in B's verified-token cache, the worst case),
// POST /auth/logout-all on instance A, then poll B's /me with the old token until it answers 401. The time counts
// from sending logout-all, so it includes A's own work, the broadcast and B applying it. Half the users are measured
// on idle instances, the other half while B serves a paced /me load at half the warm rate scenario 1 measured
// (issue 13: a revocation must keep its pace while the instance that applies it is busy).
import { closeAgent, request } from '../http.js'
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { percentiles } from '../stats.js'
import type { BenchResults, LatencyMs } from '../types.js'
import type { SeededUser } from '../../src/seed/seed-users.js'
import { partitionUsers } from './partition.js'

const GIVE_UP_MS = 5000
const POLL_PAUSE_MS = 1
/** Distinct tokens in B's load. */
const LOAD_TOKENS = 5000

interface Measured { users: number, timeouts: number, propagationMs: LatencyMs, logoutAllMs: LatencyMs }

export async function runRevocation (ctx: BenchContext, warmRps: number): Promise<BenchResults['revocation']> {
  const { revocation: users, neverRevoked } = partitionUsers(ctx.seed.users, ctx.bench)
  const half = Math.ceil(users.length / 2)
  try {
    ctx.log(`scenario 4: logout-all on A, poll /me on B until 401, for ${half} users`)
    const quiet = await measure(ctx, users.slice(0, half))
    const loadRate = Math.max(1, Math.floor(warmRps / 2))
    ctx.log(`scenario 4: the same for ${users.length - half} users while B serves /me at ${loadRate} req/s (paced)`)
    // Tokens B has verified once (as in a steady state), so the load is the warm path it is sized for.
    const loadUsers = neverRevoked.slice(0, LOAD_TOKENS)
    const tokensFile = writeLines(ctx, 'revocation-load-tokens', loadUsers.map((u) => u.accessToken))
    const spec = { url: ctx.servers.b.url, kind: 'me' as const, valuesFile: tokensFile, connections: ctx.bench.connections, seconds: ctx.bench.seconds }
    await measurePhase(ctx, { ...spec, amount: loadUsers.length, seconds: 3600 }, ctx.servers.b.child.pid)
    const loading = measurePhase(ctx, { ...spec, rate: loadRate, paced: true }, ctx.servers.b.child.pid)
    // Let the load reach its pace first; the loop below usually ends well inside the phase.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const underLoad = await measure(ctx, users.slice(half))
    return { ...quiet, underLoad: { ...underLoad, loadRate, load: await loading } }
  } finally {
    closeAgent()
  }
}

async function measure (ctx: BenchContext, users: SeededUser[]): Promise<Measured> {
  const { a, b } = ctx.servers
  const propagation: number[] = []
  const logoutAll: number[] = []
  let timeouts = 0
  for (const user of users) {
    const before = await request(`${b.url}/me`, { token: user.accessToken })
    if (before !== 200) throw new Error(`instance B answered ${before} to a live token before logout-all`)
    const sentAt = performance.now()
    const status = await request(`${a.url}/auth/logout-all`, { method: 'POST', token: user.accessToken })
    logoutAll.push(performance.now() - sentAt)
    if (status !== 204) throw new Error(`logout-all answered ${status}`)
    for (;;) {
      const seen = await request(`${b.url}/me`, { token: user.accessToken })
      const elapsed = performance.now() - sentAt
      if (seen === 401) { propagation.push(elapsed); break }
      if (elapsed > GIVE_UP_MS) { propagation.push(elapsed); timeouts++; break }
      await new Promise((resolve) => setTimeout(resolve, POLL_PAUSE_MS))
    }
  }
  const result = { users: users.length, timeouts, propagationMs: percentiles(propagation), logoutAllMs: percentiles(logoutAll) }
  ctx.log(`  propagation p50/p99/max ${fmt(result.propagationMs.p50)}/${fmt(result.propagationMs.p99)}/${fmt(result.propagationMs.max)} ms` +
    `${timeouts > 0 ? `, ${timeouts} gave up after ${GIVE_UP_MS} ms` : ''}`)
  return result
}

const fmt = (ms: number): string => ms.toFixed(1)
