// createVerifier: Rotor's token rules against the issuer's published keys, a verified-token cache, and the revocation
// list kept current by the feed. verify() is synchronous once the keys are loaded (the warm path is a map lookup,
// one revocation lookup and no promise); discovery, JWKS refreshes and the feed run in the background.
import { AccessTokenError, type AccessClaims, type RejectReason, type VerificationKey } from './claims.js'
import { discover, metadataUrlOf, VerifierConfigError, type Endpoints } from './discovery.js'
import { createFeedClient, type FeedClient } from './feed-client.js'
import { authenticateHeaders, type AuthResult, type HeadersLike } from './http-auth.js'
import { createKeyStore, type KeyStore } from './jwks.js'
import { safeHook, type FeedState } from './metrics.js'
import { createRevocationList } from './revocation-list.js'
import { createTokenVerifier, type TokenVerifier } from './token-rules.js'
import { createVerifiedTokenCache, type VerifiedTokenCache } from './verified-token-cache.js'
import { resolveOptions, type VerifierOptions } from './verifier-options.js'

export type VerifyResult =
  | { ok: true, claims: AccessClaims, /** The feed has been down past feedDownAfterSeconds ('accept-and-flag'). */ degraded: boolean }
  | { ok: false, reason: RejectReason }

export interface VerifierStatus {
  state: FeedState
  /** When the current state began (ms since the epoch). */
  since: number
  /** Delay between the last live event's atMs and its arrival here. */
  lagMs: number | undefined
  lastEventId: string | undefined
  lastContactMs: number | undefined
  /** Whether the feed-down policy applies right now. */
  feedDown: boolean
  keys: number
  error: string | undefined
}

export interface Verifier {
  verify (token: string): VerifyResult
  /** RFC 6750 in one call, for any framework: the Authorization header in, a status and WWW-Authenticate out. */
  authenticateRequest (headers: HeadersLike): AuthResult
  /** Keys loaded and, unless feed is false, the feed's first complete state applied. Rejects on a contradicted configuration. */
  ready (): Promise<void>
  status (): VerifierStatus
  close (): Promise<void>
}

export const ACCESS_TOKEN_MAX_LENGTH = 4096
const PRUNE_MS = 60_000

export function createVerifier (input: VerifierOptions): Verifier {
  const options = resolveOptions(input)
  const { nowMs, clockToleranceSeconds, onFeedDown } = options
  const onMetric = safeHook(options.onMetric)
  const feedDownAfterMs = options.feedDownAfterSeconds * 1000
  let rules: TokenVerifier | undefined
  let cache: VerifiedTokenCache | undefined
  let keyCount = 0
  let keyStore: KeyStore | undefined
  let feed: FeedClient | undefined
  let state: FeedState = 'starting'
  let since = nowMs()
  let downSince: number | undefined = since
  let closed = false
  let markLive: () => void = () => undefined
  const live = new Promise<void>((resolve) => { markLive = resolve })
  let revocations = createRevocationList({ retentionMs: 0, nowMs })

  const setState = (next: FeedState): void => {
    // Until the first complete state there is nothing to degrade from: the feed is still starting.
    if (next === state || (state === 'starting' && next === 'degraded')) return
    state = next
    since = nowMs()
    downSince = next === 'live' ? undefined : downSince ?? since
    if (next === 'live') markLive()
    onMetric({ name: 'feed_state', state: next })
  }
  const feedDown = (): boolean => options.feed !== false && state !== 'live' &&
    (state === 'starting' || nowMs() - (downSince ?? 0) > feedDownAfterMs)

  const start = async (): Promise<void> => {
    const endpoints: Endpoints = options.jwksUri !== undefined
      ? { jwksUri: options.jwksUri, algorithms: ['EdDSA', 'ES256'] }
      : await discover(options.fetch, options.issuer, options.metadataUrl ?? metadataUrlOf(options.issuer))
    const audience = options.audience ?? endpoints.audience
    if (audience === undefined) throw new VerifierConfigError('audience is not configured and the metadata has no rotor_audience')
    if (endpoints.audience !== undefined && endpoints.audience !== audience) {
      throw new VerifierConfigError(`audience ${audience} is not the issuer's (${endpoints.audience})`)
    }
    const maxLifetimeSeconds = options.maxTokenLifetimeSeconds ?? endpoints.maxLifetimeSeconds
    if (maxLifetimeSeconds === undefined) throw new VerifierConfigError('maxTokenLifetimeSeconds is not configured and the metadata has none')
    const streamUrl = options.feed === false ? undefined : options.feed.url ?? endpoints.streamUrl
    if (options.feed !== false && streamUrl === undefined) {
      throw new VerifierConfigError('the issuer publishes no revocation feed (rotor_revocation_stream_endpoint): enable it there, or pass feed: false')
    }
    if (closed) return
    cache = createVerifiedTokenCache({ maxEntries: options.cacheMaxEntries, clockToleranceSeconds, maxTokenAgeSeconds: maxLifetimeSeconds, nowMs })
    revocations = createRevocationList({ retentionMs: (maxLifetimeSeconds + clockToleranceSeconds) * 1000, nowMs })
    const onKeys = (keys: VerificationKey[]): void => {
      // A new set replaces the rules at once; cached tokens stay valid (their keys were real when they were checked).
      rules = createTokenVerifier({ keys, issuer: options.issuer, audience, maxLifetimeSeconds, clockToleranceSeconds })
      keyCount = keys.length
    }
    keyStore = createKeyStore({
      jwksUri: endpoints.jwksUri, algorithms: endpoints.algorithms, refreshSeconds: options.jwksRefreshSeconds,
      unknownKidRefetchSeconds: options.unknownKidRefetchSeconds, fetch: options.fetch, nowMs, onKeys, onMetric
    })
    if (streamUrl !== undefined) {
      const { credential, heartbeatSeconds = 15 } = options.feed as { credential?: string, heartbeatSeconds?: number }
      feed = createFeedClient({
        url: streamUrl, credential, fetch: options.fetch, heartbeatSeconds, maxBackoffMs: options.maxFeedBackoffSeconds * 1000,
        nowMs, apply: (event) => revocations.apply(event), onState: setState, onMetric
      })
    } else setState('live') // no feed to wait for (feed: false): revocations are off, nothing is pending
    await Promise.all([keyStore.loaded, live])
  }

  const starting = start()
  starting.catch(() => undefined) // surfaced by ready()
  const pruner = setInterval(() => revocations.prune(), PRUNE_MS)
  pruner.unref()

  const fail = (reason: RejectReason): VerifyResult => {
    onMetric({ name: 'rejected', reason })
    return { ok: false, reason }
  }

  const verifier: Verifier = {
    verify (token) {
      if (rules === undefined || cache === undefined) return fail('not_ready')
      if (token.length > ACCESS_TOKEN_MAX_LENGTH) return fail('malformed')
      let claims = cache.get(token)
      if (claims !== undefined) onMetric({ name: 'cache', outcome: 'hit' })
      else {
        onMetric({ name: 'cache', outcome: 'miss' })
        try {
          claims = rules(token, nowMs())
        } catch (err) {
          if (!(err instanceof AccessTokenError)) throw err
          // A kid we lack, or an algorithm none of our keys has (the issuer moved to a new key type): maybe a key
          // published since the last fetch. Rate-limited in the key store, so a flood of such tokens costs one fetch.
          if (err.reason === 'unknown_key' || err.reason === 'malformed') keyStore?.unknownKid()
          return fail(err.reason)
        }
        cache.set(token, claims)
      }
      const down = state !== 'live' && feedDown()
      if (down && onFeedDown === 'reject') return fail('feed_down')
      if (revocations.isRevoked(claims)) return fail('revoked')
      return { ok: true, claims, degraded: down }
    },
    authenticateRequest: (headers) => authenticateHeaders(verifier, headers),
    ready: () => starting,
    status: () => ({
      state, since, lagMs: feed?.lagMs(), lastEventId: feed?.lastEventId(), lastContactMs: feed?.lastContactMs(),
      feedDown: feedDown(), keys: keyCount, error: feed?.lastError()
    }),
    async close () {
      closed = true
      clearInterval(pruner)
      keyStore?.close()
      await feed?.close()
    }
  }
  return verifier
}
