// The state of every inter-region link at once: one-way latency per pair of regions and which pairs are cut. Every
// link proxy of a topology reads one Links object, so `cut(1, 2)` partitions regions 1 and 2 on all their proxies.
// Links are symmetric: the latency between a and b is the same both ways, and a cut silences both directions.

/** One-way latency between two regions, in milliseconds. */
export type LatencyMs = (a: number, b: number) => number

export interface Links {
  /** One-way latency from region a to region b (an override from setLatency, else the configured default). */
  latencyMs (a: number, b: number): number
  /** Whether the link between a and b is down. A region is never cut from itself. */
  isCut (a: number, b: number): boolean
  /** Partition a from b: proxies hold their traffic (see link-proxy.ts) until heal(a, b). */
  cut (a: number, b: number): void
  heal (a: number, b: number): void
  setLatency (a: number, b: number, ms: number): void
  /** Call `listener` after every cut, heal or latency change; returns the unsubscribe function. */
  onChange (listener: () => void): () => void
}

export const DEFAULT_CROSS_REGION_LATENCY_MS = 40

/** A number: that latency between different regions, 0 within one. A function: used for every pair as it is. */
export function latencyFunction (latencyMs: number | LatencyMs = DEFAULT_CROSS_REGION_LATENCY_MS): LatencyMs {
  if (typeof latencyMs === 'function') return latencyMs
  return (a, b) => (a === b ? 0 : latencyMs)
}

/** The region of a loopback address 127.0.0.r (also as ::ffff:127.0.0.r); undefined for any other address. */
export function regionOf (address: string | undefined): number | undefined {
  const match = /^(?:::ffff:)?127\.0\.0\.([0-9]{1,3})$/.exec(address ?? '')
  return match === null ? undefined : Number(match[1])
}

/** The loopback address processes of `region` connect from and listen on. */
export const regionAddress = (region: number): string => `127.0.0.${region}`

const pairKey = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`)

function checkPair (a: number, b: number): void {
  if (a === b) throw new Error(`a region is never cut from itself (${a})`)
}

export function createLinks (options: { latencyMs?: number | LatencyMs } = {}): Links {
  const base = latencyFunction(options.latencyMs)
  const overrides = new Map<string, number>()
  const cuts = new Set<string>()
  const listeners = new Set<() => void>()
  const changed = (): void => { for (const listener of [...listeners]) listener() }
  return {
    latencyMs: (a, b) => overrides.get(pairKey(a, b)) ?? base(a, b),
    isCut: (a, b) => a !== b && cuts.has(pairKey(a, b)),
    cut (a, b) { checkPair(a, b); cuts.add(pairKey(a, b)); changed() },
    heal (a, b) { checkPair(a, b); cuts.delete(pairKey(a, b)); changed() },
    setLatency (a, b, ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`latency must be a number of milliseconds ≥ 0, not ${ms}`)
      overrides.set(pairKey(a, b), ms)
      changed()
    },
    onChange (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
