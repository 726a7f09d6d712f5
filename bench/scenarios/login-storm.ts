// Scenario 6: a login storm must not hurt validation. /me at one paced rate (open-loop, latency from each request's
// due time) alone, then the same /me load beside a paced flood of logins far beyond what argon2id can verify, in the
// same run on the same instance. The flood's excess must be refused fast (503 at admission) while /me keeps its p99.
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { ratio } from '../stats.js'
import type { BenchResults } from '../types.js'

export async function runLoginStorm (ctx: BenchContext): Promise<BenchResults['loginStorm']> {
  const { bench, seed } = ctx
  const url = ctx.servers.a.url
  const me = {
    url, kind: 'me' as const, paced: true as const, seconds: bench.seconds, rate: bench.stormMeRate,
    connections: bench.connections, valuesFile: writeLines(ctx, 'storm-access-tokens', seed.users.map((u) => u.accessToken))
  }
  ctx.log(`scenario 6: /me paced at ${bench.stormMeRate} req/s, no logins`)
  const meQuiet = await measurePhase(ctx, me)
  ctx.log(`scenario 6: /me paced at ${bench.stormMeRate} req/s beside ${bench.stormLoginRate} logins/s on ${bench.stormConnections} sockets`)
  const [meStorm, logins] = await Promise.all([
    measurePhase(ctx, me),
    measurePhase(ctx, {
      url, kind: 'login', paced: true, seconds: bench.seconds, rate: bench.stormLoginRate, connections: bench.stormConnections,
      password: ctx.password, valuesFile: writeLines(ctx, 'storm-emails', seed.users.map((u) => u.email))
    })
  ])
  const refused = logins.non2xxLatencyMs
  ctx.log(`  logins: ${logins.ok} served, ${logins.non2xx} refused${refused === undefined ? '' : ` (refusal p99 ${refused.p99.toFixed(1)} ms)`}`)
  return {
    meQuiet, meStorm, logins, loginRate: bench.stormLoginRate, meRate: bench.stormMeRate,
    p99Ratio: ratio(meStorm.latencyMs.p99, meQuiet.latencyMs.p99)
  }
}
