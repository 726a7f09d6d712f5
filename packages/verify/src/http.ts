// JSON over HTTP for discovery and the JWKS: bounded in time and size, status checked, Cache-Control max-age read.
export type Fetch = typeof globalThis.fetch

const MAX_BODY_CHARS = 256 * 1024
const TIMEOUT_MS = 5000

export async function fetchJson (fetch: Fetch, url: string, headers: Record<string, string>): Promise<{ body: unknown, maxAgeSeconds?: number }> {
  const res = await fetch(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' })
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`)
  const text = await res.text()
  if (text.length > MAX_BODY_CHARS) throw new Error(`GET ${url}: the body is over ${MAX_BODY_CHARS} characters`)
  return { body: JSON.parse(text), maxAgeSeconds: maxAgeOf(res.headers.get('cache-control')) }
}

function maxAgeOf (cacheControl: string | null): number | undefined {
  const match = cacheControl === null ? null : /(?:^|,)\s*max-age\s*=\s*"?(\d{1,9})"?\s*(?:,|$)/i.exec(cacheControl)
  return match === null ? undefined : Number(match[1])
}
