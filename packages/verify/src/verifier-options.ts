// createVerifier's options, their defaults, and the checks that can be made before anything is fetched.
import type { Fetch } from './http.js'
import type { MetricHook } from './metrics.js'
import { VerifierConfigError } from './discovery.js'

export interface FeedOptions {
  /** Default: the metadata's rotor_revocation_stream_endpoint. */
  url?: string
  /** One of Rotor's REVOCATION_FEED_CREDENTIALS; omitted only for a feed opened on a private network. */
  credential?: string
  /** Rotor's REVOCATION_FEED_HEARTBEAT_SECONDS (default 15): silence for 2.5 times it means a dead connection. */
  heartbeatSeconds?: number
}

export interface VerifierOptions {
  /** Rotor's JWT_ISSUER, exactly. */
  issuer: string
  /** Rotor's JWT_AUDIENCE; default: the metadata's rotor_audience. A value the metadata contradicts is an error. */
  audience?: string
  /** Default `<issuer>/.well-known/oauth-authorization-server`; ignored when jwksUri is given. */
  metadataUrl?: string
  /** Skip discovery: then audience, maxTokenLifetimeSeconds and (unless feed is false) feed.url are required. */
  jwksUri?: string
  /** The revocation feed; `false` turns revocation off (tokens then live until exp: say so in your threat model). */
  feed?: FeedOptions | false
  clockToleranceSeconds?: number
  /** Default: the metadata's rotor_access_token_max_lifetime_seconds. */
  maxTokenLifetimeSeconds?: number
  cacheMaxEntries?: number
  onFeedDown?: 'reject' | 'accept-and-flag'
  feedDownAfterSeconds?: number
  jwksRefreshSeconds?: number
  unknownKidRefetchSeconds?: number
  maxFeedBackoffSeconds?: number
  onMetric?: MetricHook
  fetch?: Fetch
  /** The clock, for tests. */
  nowMs?: () => number
}

export type ResolvedOptions = Required<Omit<VerifierOptions, 'audience' | 'metadataUrl' | 'jwksUri' | 'maxTokenLifetimeSeconds' | 'onMetric'>> &
  Pick<VerifierOptions, 'audience' | 'metadataUrl' | 'jwksUri' | 'maxTokenLifetimeSeconds' | 'onMetric'>

const positive = (name: string, value: number, min = 0): number => {
  if (!Number.isFinite(value) || value < min) throw new VerifierConfigError(`${name} must be a number >= ${min}`)
  return value
}

export function resolveOptions (options: VerifierOptions): ResolvedOptions {
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new VerifierConfigError('issuer is required')
  if (options.jwksUri !== undefined) {
    if (options.audience === undefined) throw new VerifierConfigError('audience is required with an explicit jwksUri')
    if (options.maxTokenLifetimeSeconds === undefined) throw new VerifierConfigError('maxTokenLifetimeSeconds is required with an explicit jwksUri')
    if (options.feed !== false && options.feed?.url === undefined) throw new VerifierConfigError('feed.url is required with an explicit jwksUri (or feed: false)')
  }
  const resolved: ResolvedOptions = {
    ...options,
    feed: options.feed ?? {},
    clockToleranceSeconds: positive('clockToleranceSeconds', options.clockToleranceSeconds ?? 10),
    cacheMaxEntries: positive('cacheMaxEntries', options.cacheMaxEntries ?? 10000),
    onFeedDown: options.onFeedDown ?? 'reject',
    feedDownAfterSeconds: positive('feedDownAfterSeconds', options.feedDownAfterSeconds ?? 30),
    jwksRefreshSeconds: positive('jwksRefreshSeconds', options.jwksRefreshSeconds ?? 300, 1),
    unknownKidRefetchSeconds: positive('unknownKidRefetchSeconds', options.unknownKidRefetchSeconds ?? 30, 0),
    maxFeedBackoffSeconds: positive('maxFeedBackoffSeconds', options.maxFeedBackoffSeconds ?? 30, 0.1),
    fetch: options.fetch ?? globalThis.fetch,
    nowMs: options.nowMs ?? Date.now
  }
  if (!['reject', 'accept-and-flag'].includes(resolved.onFeedDown)) throw new VerifierConfigError("onFeedDown must be 'reject' or 'accept-and-flag'")
  if (options.maxTokenLifetimeSeconds !== undefined) positive('maxTokenLifetimeSeconds', options.maxTokenLifetimeSeconds, 1)
  return resolved
}
