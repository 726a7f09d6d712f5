// Scenario 2: refresh rotations through the app (each seeded refresh token presented once, so each request is one
// real rotation of its own family), beside the rotate-refresh-token script run raw by EVALSHA from one process.
import { createRefreshTokenCodec, hashSecret } from '../../src/sessions/refresh-token.js'
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { ratio } from '../stats.js'
import type { BenchResults, Rate } from '../types.js'
import { partitionUsers } from './partition.js'

/** Rotations the raw baseline precomputes per second of phase; it stops early should Redis outrun it. */
const RAW_CALLS_PER_SECOND_BUDGET = 80_000

export async function runRefresh (ctx: BenchContext): Promise<BenchResults['refresh']> {
  const { bench, appConfig } = ctx
  const { appRefresh, rawRefresh } = partitionUsers(ctx.seed.users, bench)

  ctx.log(`scenario 2: POST /auth/refresh, ${appRefresh.length} families available, each token once`)
  const refreshFile = writeLines(ctx, 'refresh-tokens', appRefresh.map((u) => u.refreshToken))
  const app = await measurePhase(ctx, {
    url: ctx.servers.a.url, kind: 'refresh', valuesFile: refreshFile, connections: bench.connections, seconds: bench.seconds, amount: appRefresh.length
  })

  // The raw side needs each family's current secret hash: the seeded token's secret, read with the server secret.
  const codec = createRefreshTokenCodec(ctx.refreshSecret)
  const lines = rawRefresh.map((u) => {
    const parsed = codec.parse(u.refreshToken)
    if (!parsed.ok) throw new Error(`a seeded refresh token does not parse: ${parsed.reason}`)
    return `${u.userId} ${u.sessionId} ${hashSecret(parsed.token.secret).toString('base64url')}`
  })
  // Most families for the pipelined ceiling; a fifth for one call at a time, which is how the app's client sends
  // them (no auto-pipelining: each command is its own write), to show how much of the gap is round trips.
  const serialCount = Math.max(1, Math.floor(lines.length / 5))
  const raw = async (name: string, families: string[], concurrency: number, seconds: number) => {
    ctx.log(`scenario 2: raw EVALSHA baseline, ${concurrency} in flight, on ${families.length} other families`)
    const rate = await ctx.baselines.call<Rate & { failures: number, concurrency: number }>('evalsha', {
      redisUrl: ctx.redisProcess.url,
      keyPrefix: appConfig.redis.keyPrefix,
      familiesFile: writeLines(ctx, name, families),
      idleMs: appConfig.refresh.idleTtlSeconds * 1000,
      graceMs: appConfig.refresh.reuseGraceSeconds * 1000,
      maxReplays: appConfig.refresh.graceMaxReplays,
      seconds,
      concurrency,
      maxCalls: Math.ceil(seconds * RAW_CALLS_PER_SECOND_BUDGET)
    })
    ctx.log(`  ${Math.round(rate.perSecond)} rotations/s${rate.failures > 0 ? `, ${rate.failures} calls did not rotate` : ''}`)
    return rate
  }
  const rawEvalsha = await raw('raw-families', lines.slice(serialCount), bench.evalshaConcurrency, bench.seconds)
  const rawEvalshaSerial = await raw('raw-families-serial', lines.slice(0, serialCount), 1, Math.min(bench.seconds, 3))

  // The limit of a refresh's parts (issue 13): its HTTP and JSON work (the same body to the bare POST route), the
  // access token's signature, and one rotation round trip to Redis, one after the other on one core.
  ctx.log('scenario 2: bare POST with the same body (HTTP and JSON only)')
  const barePost = await measurePhase(ctx, { url: ctx.servers.a.url, kind: 'bare-post', valuesFile: refreshFile, connections: bench.connections, seconds: bench.seconds })
  ctx.log('scenario 2: raw crypto.sign of access tokens (baselines process, server core)')
  const rawSign = await ctx.baselines.call<Rate>('raw-sign', {
    keysJson: ctx.keysJson, alg: bench.alg, tokensFile: writeLines(ctx, 'sign-inputs', ctx.seed.users.slice(0, 1000).map((u) => u.accessToken)), seconds: Math.min(bench.seconds, 3)
  })
  ctx.log(`  ${Math.round(rawSign.perSecond)} signatures/s`)
  const partsBound = 1 / (1 / rawSign.perSecond + 1 / barePost.rps + 1 / rawEvalshaSerial.perSecond)
  return {
    app, rawEvalsha, rawEvalshaSerial, barePost, rawSign, partsBound,
    ratio: ratio(app.rps, rawEvalsha.perSecond), ratioToSerial: ratio(app.rps, rawEvalshaSerial.perSecond), ratioToParts: ratio(app.rps, partsBound)
  }
}
