// Where the keys and the feed are, and what the issuer promises, from its RFC 8414 metadata or from explicit URLs.
// The metadata's issuer must equal the configured one exactly (RFC 8414 §3.3): a document naming another issuer is
// refused, never followed. Rotor's extension members are documented in its docs/revocation-feed.md.
import { SIGNING_ALGS, type SigningAlg } from './claims.js'
import { fetchJson, type Fetch } from './http.js'

export interface Endpoints {
  jwksUri: string
  streamUrl?: string
  algorithms: SigningAlg[]
  audience?: string
  maxLifetimeSeconds?: number
}

/** A configuration the issuer contradicts: retrying cannot help, so ready() rejects with it. */
export class VerifierConfigError extends Error {
  override name = 'VerifierConfigError'
}

export const metadataUrlOf = (issuer: string): string => `${issuer.replace(/\/+$/, '')}/.well-known/oauth-authorization-server`

const isUrl = (value: unknown): value is string => {
  if (typeof value !== 'string') return false
  try { return ['https:', 'http:'].includes(new URL(value).protocol) } catch { return false }
}

export async function discover (fetch: Fetch, issuer: string, metadataUrl: string): Promise<Endpoints> {
  const { body } = await fetchJson(fetch, metadataUrl, {})
  const meta = body as Record<string, unknown>
  if (typeof meta !== 'object' || meta === null) throw new Error('the metadata is not a JSON object')
  if (meta.issuer !== issuer) throw new VerifierConfigError(`the metadata at ${metadataUrl} names issuer ${JSON.stringify(meta.issuer)}, not ${issuer}`)
  if (!isUrl(meta.jwks_uri)) throw new VerifierConfigError(`the metadata at ${metadataUrl} has no jwks_uri`)
  const listed = meta.rotor_access_token_signing_alg_values_supported
  const algorithms = Array.isArray(listed) ? SIGNING_ALGS.filter((alg) => listed.includes(alg)) : [...SIGNING_ALGS]
  const max = meta.rotor_access_token_max_lifetime_seconds
  return {
    jwksUri: meta.jwks_uri,
    ...(isUrl(meta.rotor_revocation_stream_endpoint) ? { streamUrl: meta.rotor_revocation_stream_endpoint } : {}),
    algorithms,
    ...(typeof meta.rotor_audience === 'string' ? { audience: meta.rotor_audience } : {}),
    ...(Number.isSafeInteger(max) && (max as number) > 0 ? { maxLifetimeSeconds: max as number } : {})
  }
}
