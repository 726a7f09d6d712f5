// The issuer's public keys, fetched from its JWKS (RFC 7517) and kept by kid. Only the two kinds Rotor signs with are
// taken: OKP/Ed25519 with alg EdDSA and EC/P-256 with alg ES256, `use` "sig" or absent (RFC 7517 §4.2); anything
// else (RSA, other curves, encryption keys, a key whose alg does not match its curve, private members) is ignored,
// so a key can never be used with an algorithm other than its own (RFC 8725 §3.1). A failed fetch keeps the keys
// already known (stale beats none: they are public keys, and Rotor publishes a key long before it signs).
import { createPublicKey } from 'node:crypto'
import type { SigningAlg, VerificationKey } from './claims.js'
import { fetchJson, type Fetch } from './http.js'
import type { MetricHook } from './metrics.js'

const KINDS: Record<SigningAlg, { kty: string, crv: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' }
}

/** The usable verification keys of a JWKS document; the rest are skipped. */
export function keysOfJwks (doc: unknown, allowed: readonly SigningAlg[]): VerificationKey[] {
  const list = (doc as { keys?: unknown } | null)?.keys
  if (!Array.isArray(list)) throw new Error('the JWKS has no "keys" array')
  const keys = new Map<string, VerificationKey>()
  for (const raw of list) {
    if (typeof raw !== 'object' || raw === null) continue
    const jwk = raw as Record<string, unknown>
    const alg = jwk.alg as SigningAlg
    if (!allowed.includes(alg) || jwk.kty !== KINDS[alg].kty || jwk.crv !== KINDS[alg].crv) continue
    if ((jwk.use !== undefined && jwk.use !== 'sig') || 'd' in jwk) continue
    if (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 256 || keys.has(jwk.kid)) continue
    try {
      const { kty, crv, x, y } = jwk
      const publicKey = createPublicKey({ key: { kty, crv, x, ...(y !== undefined ? { y } : {}) } as import('node:crypto').JsonWebKey, format: 'jwk' })
      keys.set(jwk.kid, { kid: jwk.kid, alg, publicKey })
    } catch { /* not a valid point: skipped like any other unusable key */ }
  }
  return [...keys.values()]
}

export interface KeyStoreOptions {
  jwksUri: string
  algorithms: readonly SigningAlg[]
  /** Periodic refresh, at least; a longer Cache-Control max-age from the issuer wins (never fetch what is still fresh). */
  refreshSeconds: number
  /** An unknown kid triggers at most one fetch per this interval, so a flood of made-up kids costs one request. */
  unknownKidRefetchSeconds: number
  fetch: Fetch
  nowMs: () => number
  onKeys: (keys: VerificationKey[]) => void
  onMetric: MetricHook
}

export interface KeyStore {
  /** Resolves after the first successful fetch (retrying until then). */
  loaded: Promise<void>
  /** A token named a kid we do not have: refetch, unless one was fetched within the interval. */
  unknownKid (): void
  close (): void
}

export function createKeyStore (options: KeyStoreOptions): KeyStore {
  const { jwksUri, algorithms, refreshSeconds, unknownKidRefetchSeconds, nowMs, onKeys, onMetric } = options
  let lastFetchMs = -Infinity
  let inFlight: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false
  let failures = 0
  let markLoaded: () => void = () => undefined
  const loaded = new Promise<void>((resolve) => { markLoaded = resolve })

  const schedule = (seconds: number): void => {
    clearTimeout(timer)
    if (closed) return
    timer = setTimeout(() => { void fetchNow() }, seconds * 1000)
    timer.unref()
  }

  const fetchNow = (): Promise<void> => {
    if (inFlight !== undefined || closed) return inFlight ?? Promise.resolve()
    lastFetchMs = nowMs()
    inFlight = (async () => {
      try {
        const { body, maxAgeSeconds } = await fetchJson(options.fetch, jwksUri, {})
        const keys = keysOfJwks(body, algorithms)
        failures = 0
        onKeys(keys)
        onMetric({ name: 'jwks_fetch', outcome: 'ok', keys: keys.length })
        markLoaded()
        schedule(Math.max(refreshSeconds, maxAgeSeconds ?? 0))
      } catch {
        failures++
        onMetric({ name: 'jwks_fetch', outcome: 'error', keys: 0 })
        // Keys already known stay in use; retry sooner than a periodic refresh, backing off to the refetch interval.
        schedule(Math.min(unknownKidRefetchSeconds, 2 ** Math.min(failures - 1, 5)))
      } finally {
        inFlight = undefined
      }
    })()
    return inFlight
  }

  void fetchNow()
  return {
    loaded,
    unknownKid () {
      if (nowMs() - lastFetchMs >= unknownKidRefetchSeconds * 1000) void fetchNow()
    },
    close () {
      closed = true
      clearTimeout(timer)
    }
  }
}
