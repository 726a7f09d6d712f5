// Scenario 4: how long an access token outlives logout-all on another instance. Two app instances share one Redis;
// for each of K users: check instance B accepts the token (it is then in B's verified-token cache, the worst case),
// POST /auth/logout-all on instance A, then poll B's /me with the old token until it answers 401. The time counts
// from sending logout-all, so it includes A's own work, the broadcast and B applying it.
import { closeAgent, request } from '../http.js'
import { type BenchContext } from '../context.js'
import { percentiles } from '../stats.js'
import type { BenchResults } from '../types.js'
import { partitionUsers } from './partition.js'

const GIVE_UP_MS = 5000
const POLL_PAUSE_MS = 1

export async function runRevocation (ctx: BenchContext): Promise<BenchResults['revocation']> {
  const { revocation: users } = partitionUsers(ctx.seed.users, ctx.bench)
  const { a, b } = ctx.servers
  ctx.log(`scenario 4: logout-all on A, poll /me on B until 401, for ${users.length} users`)
  const propagation: number[] = []
  const logoutAll: number[] = []
  let timeouts = 0
  try {
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
  } finally {
    closeAgent()
  }
  const result = { users: users.length, timeouts, propagationMs: percentiles(propagation), logoutAllMs: percentiles(logoutAll) }
  ctx.log(`  propagation p50/p99/max ${fmt(result.propagationMs.p50)}/${fmt(result.propagationMs.p99)}/${fmt(result.propagationMs.max)} ms` +
    `${timeouts > 0 ? `, ${timeouts} gave up after ${GIVE_UP_MS} ms` : ''}`)
  return result
}

const fmt = (ms: number): string => ms.toFixed(1)

