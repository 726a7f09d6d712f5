// Parsing and messages for individual configuration values (the schema and loadConfig are in config.ts).
import { ConfigError } from './config-error.js'

export function describe (name: string, message: string): string {
  if (name === 'REFRESH_TOKEN_SECRET') return 'must be at least 32 characters'
  if (name === 'COOKIE_SECURE') return 'must be "true" or "false"'
  if (name === 'REDIS_SENTINEL_NAME') return 'must be a Sentinel master group name (letters, digits and . _ -)'
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

export interface HostPort { host: string, port: number }

/** Where Redis is: one server (REDIS_URL), a Sentinel-managed primary, or a Redis Cluster. */
export type RedisTopology =
  | { kind: 'standalone' }
  | { kind: 'sentinel', sentinels: HostPort[], name: string, sentinelPassword?: string }
  | { kind: 'cluster', nodes: HostPort[] }

/** A comma list of host:port (IPv6 in brackets, `[::1]:26379`); every entry names its port, nothing is guessed. */
export function parseHostPorts (name: string, raw: string): HostPort[] {
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (list.length === 0) throw new ConfigError(`Invalid configuration: ${name} must list at least one host:port`)
  return list.map((entry) => {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+)):([0-9]{1,5})$/.exec(entry)
    const port = Number(match?.[3])
    if (match === null || port < 1 || port > 65535) {
      throw new ConfigError(`Invalid configuration: ${name} entry ${JSON.stringify(entry)} is not host:port (e.g. 10.0.0.5:26379)`)
    }
    return { host: match[1] ?? match[2] ?? '', port }
  })
}

/**
 * REDIS_SENTINELS or REDIS_CLUSTER_NODES (exclusive) select the topology. In both, REDIS_URL still supplies the data
 * nodes' credentials and TLS (rediss://); its host and port are not used. Cluster has only database 0.
 */
export function parseRedisTopology (env: {
  REDIS_URL: string, REDIS_SENTINELS?: string, REDIS_SENTINEL_NAME: string, REDIS_SENTINEL_PASSWORD?: string, REDIS_CLUSTER_NODES?: string
}): RedisTopology {
  const { REDIS_SENTINELS: sentinels, REDIS_CLUSTER_NODES: clusterNodes } = env
  if (sentinels !== undefined && clusterNodes !== undefined) {
    throw new ConfigError('Invalid configuration: REDIS_SENTINELS and REDIS_CLUSTER_NODES are exclusive; set one (Sentinel-managed primary or Redis Cluster)')
  }
  if (sentinels !== undefined) {
    return { kind: 'sentinel', sentinels: parseHostPorts('REDIS_SENTINELS', sentinels), name: env.REDIS_SENTINEL_NAME, sentinelPassword: env.REDIS_SENTINEL_PASSWORD }
  }
  if (clusterNodes !== undefined) {
    if (!/^\/?0?$/.test(urlPath(env.REDIS_URL))) {
      throw new ConfigError('Invalid configuration: REDIS_URL selects a database, but Redis Cluster has only database 0 (drop the /N path)')
    }
    return { kind: 'cluster', nodes: parseHostPorts('REDIS_CLUSTER_NODES', clusterNodes) }
  }
  return { kind: 'standalone' }
}

function urlPath (url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    throw new ConfigError('Invalid configuration: REDIS_URL is not a valid URL (redis://[user:password@]host[:port][/db])')
  }
}
