// Small statistics shared by the harness and its report: nearest-rank percentiles, medians, ratios.
import type { BenchResults, LatencyMs, VerifierRates } from './types.js'

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export function percentile (samples: number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]!
}

export function percentiles (samples: number[]): LatencyMs {
  // A loop, not Math.max(...samples): hundreds of thousands of arguments overflow the call stack.
  const max = samples.reduce((m, s) => s > m ? s : m, -Infinity)
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.length === 0 ? NaN : max }
}

export function median (samples: number[]): number {
  return percentile(samples, 50)
}

/** measured / baseline, NaN when the baseline is not a positive number. */
export function ratio (measured: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(measured) ? measured / baseline : NaN
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now()

/** The verifier micro-benchmark's rates with each one's share of raw crypto.verify. */
export function withRatios (rates: Record<'EdDSA' | 'ES256', VerifierRates>): BenchResults['verifiers'] {
  const one = (x: VerifierRates) => ({
    ...x,
    ratiosToRaw: {
      joseJwtVerify: ratio(x.joseJwtVerify, x.rawCryptoVerify),
      fastJwt: ratio(x.fastJwt, x.rawCryptoVerify),
      rotorVerifyNoCache: ratio(x.rotorVerifyNoCache, x.rawCryptoVerify)
    }
  })
  return { EdDSA: one(rates.EdDSA), ES256: one(rates.ES256) }
}

/**
 * Server-side CPU per answered request (the server's and Redis's, percent of a core over requests per second):
 * comparable between two servers where the load generator or other tenants capped the rates, as a clock ratio is not.
 */
export function cpuPerRequest (phase: { serverCpuPercent: number, redisCpuPercent: number, rps: number }): number {
  return (phase.serverCpuPercent + phase.redisCpuPercent) / phase.rps
}
