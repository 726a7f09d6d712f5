// Scenario 7: a resource server verifying Rotor's tokens with @rotor/verify (the example's GET /hello through the
// package's Fastify plugin), beside GET /bench/bare in the same process. Warm: every token verified once before, so
// each request is a verified-token cache hit plus the revocation lookup; compared with the bare route. Cold: every
// request a token never sent before, so each pays a full verification; compared with 1 / (one raw crypto.verify of
// the same tokens + one bare request), both measured in this run on the same core: what a free verifier would reach,
// and, round by round, with /bench/free-verify: such a free verifier actually behind the same HTTP stack.
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import type { ResourceServer } from '../resource-servers.js'
import { median, ratio } from '../stats.js'
import type { BenchResults, Phase } from '../types.js'
import { partitionUsers } from './partition.js'
import { coldBaseline, mintTokens } from './validation.js'

export async function runResourceServerVerify (ctx: BenchContext, rs: ResourceServer): Promise<BenchResults['resourceServer']> {
  const { bench } = ctx
  const pid = rs.child.pid
  // Scenario 4 has logged its users out by now (scenario 8 will): only tokens that stay valid.
  const valid = partitionUsers(ctx.seed.users, bench).neverRevoked
  const tokens = valid.map((u) => u.accessToken)
  const tokensFile = writeLines(ctx, 'rs-access-tokens', tokens)
  const base = { url: rs.url, valuesFile: tokensFile, connections: bench.connections, seconds: bench.seconds }

  ctx.log('scenario 7: resource server, warming up its bare route (not measured)')
  await measurePhase(ctx, { ...base, kind: 'bare', seconds: Math.min(bench.seconds, 2) }, pid)
  ctx.log(`scenario 7: priming the resource server's verified-token cache with each of ${tokens.length} tokens once`)
  const warmPrime = await measurePhase(ctx, { ...base, kind: 'hello', amount: tokens.length, seconds: 3600 }, pid)
  if (warmPrime.ok !== tokens.length) throw new Error(`priming the resource server: ${warmPrime.ok} of ${tokens.length} tokens were accepted`)
  const rounds: Array<{ bare: Phase, warm: Phase }> = []
  for (let round = 1; round <= bench.rounds; round++) {
    ctx.log(`scenario 7: round ${round}/${bench.rounds}: resource server bare route, then GET /hello warm`)
    const bare = await measurePhase(ctx, { ...base, kind: 'bare' }, pid)
    rounds.push({ bare, warm: await measurePhase(ctx, { ...base, kind: 'hello' }, pid) })
  }
  const ratios = rounds.map((r) => ratio(r.warm.rps, r.bare.rps))
  const { bare, warm } = rounds[ratios.indexOf(median(ratios))]!

  const { rawVerify, coldCount } = await coldBaseline(ctx, 'scenario 7', tokensFile, bare.rps)
  const coldBound = 1 / (1 / rawVerify.perSecond + 1 / bare.rps)
  ctx.log(`scenario 7: minting ${coldCount} fresh access tokens for each of ${bench.rounds} cold rounds`)
  const fresh = await mintTokens(ctx, coldCount * bench.rounds, valid)
  const coldRounds: Array<{ free: Phase, cold: Phase }> = []
  for (let round = 1; round <= bench.rounds; round++) {
    // The free verifier caches nothing, so the round's tokens are still never seen by /hello when it runs.
    const file = writeLines(ctx, `rs-cold-access-tokens-${round}`, fresh.slice((round - 1) * coldCount, round * coldCount))
    const phase = { ...base, valuesFile: file, amount: coldCount }
    ctx.log(`scenario 7: round ${round}/${bench.rounds}: GET /bench/free-verify, then GET /hello cold, every token new`)
    const free = await measurePhase(ctx, { ...phase, kind: 'free-verify' }, pid)
    const cold = await measurePhase(ctx, { ...phase, kind: 'hello' }, pid)
    if (cold.ok === coldCount) ctx.log('  note: every cold token was used before the phase time ran out; the rate covers the shorter phase')
    coldRounds.push({ free, cold })
  }
  const coldRatios = coldRounds.map((r) => ratio(r.cold.rps, r.free.rps))
  const { free: freeVerify, cold } = coldRounds[coldRatios.indexOf(median(coldRatios))]!

  return {
    bare, warmPrime, warm, cold, freeVerify, coldTokens: coldCount, rawVerify, coldBound,
    rounds: rounds.map((r, i) => ({ bareRps: r.bare.rps, warmRps: r.warm.rps, warmVsBare: ratios[i]! })),
    coldRounds: coldRounds.map((r, i) => ({ freeVerifyRps: r.free.rps, coldRps: r.cold.rps, coldVsFreeVerify: coldRatios[i]! })),
    ratios: {
      warmVsBare: ratio(warm.rps, bare.rps),
      coldVsBound: ratio(cold.rps, coldBound),
      coldVsFreeVerify: ratio(cold.rps, freeVerify.rps),
      warmVsBareByCpu: ratio(bare.serverCpuPercent / bare.rps, warm.serverCpuPercent / warm.rps)
    }
  }
}
