// Scenario 6: a login storm must not hurt validation. /me at one paced rate (open-loop, latency from each request's
// due time) alone, then the same /me load beside a paced flood of logins far beyond what argon2id can verify, in the
// same run on the same instance. The flood's excess must be refused fast (503 at admission) while /me keeps its p99.
// The same pair then runs on instance B, started with its libuv pool niced (PASSWORD_HASH_THREAD_NICE), so the
// opt-in setting is judged beside the default in one run.
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { ratio } from '../stats.js'
import type { BenchResults, StormPair } from '../types.js'

export async function runLoginStorm (ctx: BenchContext): Promise<BenchResults['loginStorm']> {
  const { bench, seed } = ctx
  const tokens = writeLines(ctx, 'storm-access-tokens', seed.users.map((u) => u.accessToken))
  const emails = writeLines(ctx, 'storm-emails', seed.users.map((u) => u.email))
  const pair = async (name: 'a' | 'b', label: string): Promise<StormPair> => {
    const { url, child } = ctx.servers[name]
    const me = { url, kind: 'me' as const, paced: true as const, seconds: bench.seconds, rate: bench.stormMeRate, connections: bench.connections, valuesFile: tokens }
    ctx.log(`scenario 6${label}: /me paced at ${bench.stormMeRate} req/s, no logins`)
    const meQuiet = await measurePhase(ctx, me, child.pid)
    ctx.log(`scenario 6${label}: /me paced at ${bench.stormMeRate} req/s beside ${bench.stormLoginRate} logins/s on ${bench.stormConnections} sockets`)
    const [meStorm, logins] = await Promise.all([
      measurePhase(ctx, me, child.pid),
      measurePhase(ctx, {
        url, kind: 'login', paced: true, seconds: bench.seconds, rate: bench.stormLoginRate, connections: bench.stormConnections,
        password: ctx.password, valuesFile: emails
      }, child.pid)
    ])
    const refused = logins.non2xxLatencyMs
    ctx.log(`  logins: ${logins.ok} served, ${logins.non2xx} refused, ${logins.timeouts} unanswered${refused === undefined ? '' : ` (refusal p99 ${refused.p99.toFixed(1)} ms)`}`)
    return { meQuiet, meStorm, logins, p99Ratio: ratio(meStorm.latencyMs.p99, meQuiet.latencyMs.p99) }
  }
  const plain = await pair('a', '')
  const niced = await pair('b', ` (B, pool at nice ${bench.stormPoolNice})`)
  return { ...plain, niced: { ...niced, nice: bench.stormPoolNice }, loginRate: bench.stormLoginRate, meRate: bench.stormMeRate }
}
