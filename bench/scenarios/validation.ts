// Scenario 1: GET /me with access tokens of BENCH_USERS distinct users, beside the bare route of the same app.
// Warm: every token has been seen once, so each request is a verified-token cache hit. Cold: every request carries a
// token minted for this phase and never sent before, so each one pays a full signature check; it is compared with
// raw crypto.verify of the same alg and key on the same core.
import { createAccessTokens } from '../../src/tokens/access-token.js'
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { median, ratio } from '../stats.js'
import type { BenchResults, Phase, Rate } from '../types.js'

const MAX_COLD_TOKENS = 500_000

export async function runValidation (ctx: BenchContext): Promise<BenchResults['validation']> {
  const { bench, seed } = ctx
  const url = ctx.servers.a.url
  const tokensFile = writeLines(ctx, 'access-tokens', seed.users.map((u) => u.accessToken))
  const base = { url, valuesFile: tokensFile, connections: bench.connections, seconds: bench.seconds }

  ctx.log('scenario 1: warming up the bare route (not measured: lets the JIT settle before the first figure)')
  await measurePhase(ctx, { ...base, kind: 'bare', seconds: Math.min(bench.seconds, 2) })
  ctx.log(`scenario 1: priming the verified-token cache with each of ${seed.users.length} tokens once`)
  const warmPrime = await measurePhase(ctx, { ...base, kind: 'me', amount: seed.users.length, seconds: 3600 })
  if (warmPrime.ok !== seed.users.length) throw new Error(`priming: ${warmPrime.ok} of ${seed.users.length} tokens were accepted`)
  // Bare and warm alternate, so a noisy moment on a shared machine hits one round of both rather than one side.
  const rounds: Array<{ bare: Phase, warm: Phase }> = []
  for (let round = 1; round <= bench.rounds; round++) {
    ctx.log(`scenario 1: round ${round}/${bench.rounds}: bare route (same app, same headers, no token work)`)
    const bare = await measurePhase(ctx, { ...base, kind: 'bare' })
    ctx.log(`scenario 1: round ${round}/${bench.rounds}: /me warm (every token already verified once), full speed`)
    rounds.push({ bare, warm: await measurePhase(ctx, { ...base, kind: 'me' }) })
  }
  const ratios = rounds.map((r) => ratio(r.warm.rps, r.bare.rps))
  const { bare, warm } = rounds[ratios.indexOf(median(ratios))]!
  const halfRate = Math.max(1, Math.floor(warm.rps / 2))
  ctx.log(`scenario 1: /me warm at half that rate (${halfRate} req/s), autocannon overallRate`)
  const warmHalfRate = { ...await measurePhase(ctx, { ...base, kind: 'me', overallRate: halfRate }), offeredRate: halfRate }
  ctx.log(`scenario 1: /me warm at ${halfRate} req/s, paced open-loop arrivals`)
  const warmHalfRatePaced = { ...await measurePhase(ctx, { ...base, kind: 'me', rate: halfRate, paced: true }), offeredRate: halfRate }

  const { rawVerify, coldCount } = await coldBaseline(ctx, 'scenario 1', tokensFile, bare.rps)
  ctx.log(`scenario 1: minting ${coldCount} fresh access tokens for the cold phase`)
  const coldFile = writeLines(ctx, 'cold-access-tokens', await mintTokens(ctx, coldCount))
  ctx.log('scenario 1: /me cold, every token new')
  const cold = await measurePhase(ctx, { ...base, valuesFile: coldFile, kind: 'me', amount: coldCount })
  if (cold.ok === coldCount) ctx.log('  note: every cold token was used before the phase time ran out; the rate covers the shorter phase')

  return {
    bare, warmPrime, warm, warmHalfRate, warmHalfRatePaced, cold, coldTokens: coldCount, rawVerify,
    rounds: rounds.map((r, i) => ({ bareRps: r.bare.rps, warmRps: r.warm.rps, warmVsBare: ratios[i]! })),
    ratios: { warmVsBare: ratio(warm.rps, bare.rps), coldVsRawVerify: ratio(cold.rps, rawVerify.perSecond), coldVsBare: ratio(cold.rps, bare.rps) }
  }
}

/** Tokens exactly as the app issues them (same signer, claims and key), spread over the seeded users' sessions. */
export async function mintTokens (ctx: BenchContext, count: number, users = ctx.seed.users): Promise<string[]> {
  const { jwt } = ctx.appConfig
  const signer = createAccessTokens({
    keySet: ctx.keySet, issuer: jwt.issuer, audience: jwt.audience, clientId: jwt.clientId,
    ttlSeconds: jwt.accessTokenTtlSeconds, clockToleranceSeconds: jwt.clockToleranceSeconds, nowMs: Date.now
  })
  const tokens = new Array<string>(count)
  let next = 0
  // Signing goes through WebCrypto's thread pool: several in flight use both cores while nothing is being measured.
  const worker = async () => {
    while (next < count) {
      const i = next++
      const u = users[i % users.length]!
      tokens[i] = (await signer.sign({ userId: u.userId, roles: [], sessionId: u.sessionId, sessionVersion: 0 })).token
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return tokens
}

/**
 * Raw crypto.verify of the seeded tokens (baselines process, server core), and how many fresh tokens a cold phase
 * needs: a cold request does at least a bare request's work plus one verification, so enough for that rate over the
 * phase, with a margin. Should the server beat the estimate, the phase ends early, and its rate still holds.
 */
export async function coldBaseline (ctx: BenchContext, scenario: string, tokensFile: string, bareRps: number): Promise<{ rawVerify: Rate, coldCount: number }> {
  const { bench } = ctx
  ctx.log(`${scenario}: raw crypto.verify baseline (baselines process, server core)`)
  const rawVerify = await ctx.baselines.call<Rate>('raw-verify', {
    keysJson: ctx.keysJson, alg: bench.alg, tokensFile, seconds: Math.min(bench.seconds, 3)
  })
  ctx.log(`  ${Math.round(rawVerify.perSecond)} verifications/s`)
  const bound = 1 / (1 / rawVerify.perSecond + 1 / bareRps)
  return { rawVerify, coldCount: Math.min(MAX_COLD_TOKENS, Math.max(100, Math.ceil(bound * bench.seconds * 1.3))) }
}
