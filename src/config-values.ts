// Parsing and messages for individual configuration values (the schema and loadConfig are in config.ts).
import { ConfigError } from './config-error.js'

export function describe (name: string, message: string): string {
  if (name === 'REFRESH_TOKEN_SECRET') return 'must be at least 32 characters'
  if (name === 'COOKIE_SECURE') return 'must be "true" or "false"'
  if (name === 'REDIS_KEY_PREFIX') return 'may hold only letters, digits and : _ . - (at most 64; no braces, they would break hash slots)'
  return message.replace(/^Expected/, 'expected')
}

/** Origins compare exactly (scheme, host, port), so each entry must be a bare origin. */
export function parseOrigins (raw: string): string[] {
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const origin of list) {
    let parsed: URL | undefined
    try { parsed = new URL(origin) } catch { parsed = undefined }
    if (parsed === undefined || parsed.origin !== origin) {
      throw new ConfigError(`Invalid configuration: ALLOWED_ORIGINS entry ${JSON.stringify(origin)} is not a bare origin like https://app.example.com`)
    }
  }
  return list
}

/** "false" (socket address only), "true" (trust every hop: only behind a proxy that overwrites the header), a hop count, or a list of addresses/CIDRs. */
export function parseTrustProxy (raw: string): boolean | string | number {
  const value = raw.trim()
  if (value === 'false' || value === '') return false
  if (value === 'true') return true
  if (/^[0-9]+$/.test(value)) return Number(value)
  if (/^[0-9a-fA-F:./, ]+$/.test(value)) return value
  throw new ConfigError(`Invalid configuration: TRUST_PROXY must be true, false, a hop count or a comma list of addresses/CIDRs (got ${JSON.stringify(raw)})`)
}
