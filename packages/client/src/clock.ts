// Server time as seen from here. A device clock can be minutes off; expiry is the server's notion, so every decision
// about when a token expires is made on the server's clock, estimated from the `Date` header of its answers
// (RFC 9110 §6.6.1), never from the device's clock alone.

export interface ServerClock {
  /** The estimated server time now, in ms since the epoch. */
  nowMs (): number
  /** Learn the offset from an answer's `Date` header, read at `localMs` on the device clock. */
  observe (dateHeader: string | null, localMs: number): void
  /** Take another tab's estimate of the server's time now, unless this clock has heard from the server itself. */
  adopt (serverNowMs: number): void
}

export function createServerClock (localNowMs: () => number): ServerClock {
  let skewMs = 0
  let observed = false
  return {
    nowMs: () => localNowMs() + skewMs,
    observe: (dateHeader, localMs) => {
      if (dateHeader === null) return
      const dateMs = Date.parse(dateHeader)
      if (Number.isNaN(dateMs)) return
      // Date has one-second resolution and is truncated: the server's time was within [date, date + 1 s).
      skewMs = dateMs + 500 - localMs
      observed = true
    },
    adopt: (serverNowMs) => { if (!observed) skewMs = serverNowMs - localNowMs() }
  }
}

export interface RefreshPlan {
  /** When the access token expires, on the server's clock. */
  expiresAtServerMs: number
  /** The server's time now. */
  serverNowMs: number
  /** Refresh this long before expiry at the latest. */
  aheadMs: number
  /** A number in [0, 1): spreads refreshes of many clients (and tabs) over a further `aheadMs / 2`. */
  random: number
}

/**
 * How long to wait before the proactive refresh: `aheadMs` (plus up to half as much jitter) before expiry, but at
 * least a tenth of the lifetime left, so a lead longer than the token's lifetime cannot turn into a refresh loop.
 * Jitter keeps a fleet of clients that logged in together from refreshing in one burst.
 */
export function refreshDelayMs (plan: RefreshPlan): number {
  const lifetimeLeftMs = plan.expiresAtServerMs - plan.serverNowMs
  const leadMs = Math.min(plan.aheadMs * (1 + plan.random / 2), lifetimeLeftMs * 0.9)
  return Math.max(0, lifetimeLeftMs - leadMs)
}

/** Retry-After as milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs (header: string | null, serverNowMs: number): number | undefined {
  if (header === null) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const dateMs = Date.parse(trimmed)
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - serverNowMs)
}
