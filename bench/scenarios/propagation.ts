// Scenario 8: how long a token outlives logout-all on resource servers that are not Rotor. Two Rotor instances share
// one Redis; three resource servers (@rotor/verify) each follow one instance's revocation feed. For each of P users,
// one at a time: every resource server accepts the token over HTTP (it is then in their verified-token caches, the
// worst case) and watches it; POST /auth/logout-all on instance A or B in turn; each resource server reports the
// moment its verifier first rejects the token as revoked (its metric hook, at the feed event: no polling load), then
// must answer 401 over HTTP. Times count from the 204 reaching this process (and, as info, from sending).
import { type BenchContext } from '../context.js'
import { closeAgent, request } from '../http.js'
import type { ResourceServer } from '../resource-servers.js'
import { epochMs, percentiles } from '../stats.js'
import type { BenchResults } from '../types.js'
import { partitionUsers } from './partition.js'

const GIVE_UP_MS = 5000

export const DETECTION = 'the resource server\'s onMetric hook (feed_event): the watched token is verified again as each event is applied'

export async function runPropagation (ctx: BenchContext, resourceServers: ResourceServer[]): Promise<BenchResults['propagation']> {
  const { propagation: users } = partitionUsers(ctx.seed.users, ctx.bench)
  const instances = [ctx.servers.a, ctx.servers.b]
  ctx.log(`scenario 8: logout-all on A or B in turn, until each of ${resourceServers.length} resource servers rejects the token, for ${users.length} users`)
  const fromResponse: number[] = []
  const fromRequest: number[] = []
  const logoutAll: number[] = []
  let timeouts = 0
  let acceptedAfterRejection = 0
  try {
    for (const [i, user] of users.entries()) {
      for (const rs of resourceServers) {
        const before = await request(`${rs.url}/hello`, { token: user.accessToken })
        if (before !== 200) throw new Error(`a resource server answered ${before} to a live token before logout-all`)
        await rs.child.call('watch', { token: user.accessToken })
      }
      const sentAt = epochMs()
      const status = await request(`${instances[i % 2]!.url}/auth/logout-all`, { method: 'POST', token: user.accessToken })
      const answeredAt = epochMs()
      if (status !== 204) throw new Error(`logout-all answered ${status}`)
      logoutAll.push(answeredAt - sentAt)
      const rejectedAt = await Promise.all(resourceServers.map((rs) => rs.child.call<number | null>('rejectedAt', { timeoutMs: GIVE_UP_MS })))
      for (const [j, at] of rejectedAt.entries()) {
        if (at === null) { timeouts++; fromResponse.push(GIVE_UP_MS); fromRequest.push(GIVE_UP_MS); continue }
        fromResponse.push(at - answeredAt)
        fromRequest.push(at - sentAt)
        if (await request(`${resourceServers[j]!.url}/hello`, { token: user.accessToken }) !== 401) acceptedAfterRejection++
      }
    }
  } finally {
    closeAgent()
  }
  const result = {
    resourceServers: resourceServers.length,
    users: users.length,
    samples: fromResponse.length,
    timeouts,
    acceptedAfterRejection,
    fromResponseMs: percentiles(fromResponse),
    fromRequestMs: percentiles(fromRequest),
    logoutAllMs: percentiles(logoutAll),
    detection: DETECTION
  }
  ctx.log(`  from the 204: p50/p99/max ${fmt(result.fromResponseMs.p50)}/${fmt(result.fromResponseMs.p99)}/${fmt(result.fromResponseMs.max)} ms` +
    `${timeouts > 0 ? `, ${timeouts} gave up after ${GIVE_UP_MS} ms` : ''}${acceptedAfterRejection > 0 ? `, ${acceptedAfterRejection} still 200 over HTTP` : ''}`)
  return result
}

const fmt = (ms: number): string => ms.toFixed(1)
