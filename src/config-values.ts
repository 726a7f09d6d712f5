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
  | { kind: 'cluster', nodes: HostPort[], natMap?: Record<string, HostPort>, localNodes?: HostPort[] }

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
 * REDIS_CLUSTER_NAT_MAP: `announcedHost:port=host:port,...`. Each node address the Cluster announces (CLUSTER SLOTS,
 * MOVED, ASK) is replaced by the address this instance must connect to instead: a NAT, or in the three-region layout
 * (docs/regions.md) this region's own entry point to that node. Keys are compared as the Cluster announces them, so
 * an announced address may appear only once.
 */
export function parseNatMap (raw: string): Record<string, HostPort> {
  const name = 'REDIS_CLUSTER_NAT_MAP'
  const entries = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (entries.length === 0) throw new ConfigError(`Invalid configuration: ${name} must list at least one announced=host:port`)
  const map: Record<string, HostPort> = {}
  for (const entry of entries) {
    const parts = entry.split('=')
    if (parts.length !== 2) {
      throw new ConfigError(`Invalid configuration: ${name} entry ${JSON.stringify(entry)} is not announcedHost:port=host:port (e.g. 10.0.0.5:6379=127.0.0.1:7001)`)
    }
    const [announced] = parseHostPorts(name, parts[0]!)
    const [target] = parseHostPorts(name, parts[1]!)
    // ioredis looks addresses up as host:port, IPv6 without brackets.
    const key = `${announced!.host}:${announced!.port}`
    if (key in map) throw new ConfigError(`Invalid configuration: ${name} names ${JSON.stringify(parts[0]!.trim())} twice`)
    map[key] = target!
  }
  return map
}

/**
 * REDIS_HOME_SLOTS: the Cluster slots whose master is in this instance's region, as `from-to` ranges (or single
 * slots), e.g. `0-5460`. Registration draws user ids in them (src/users/home-slots.ts).
 */
export function parseSlotRanges (name: string, raw: string): Array<[number, number]> {
  const entries = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (entries.length === 0) throw new ConfigError(`Invalid configuration: ${name} must list at least one slot range like 0-5460`)
  return entries.map((entry) => {
    const match = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(entry)
    const from = Number(match?.[1])
    const to = Number(match?.[2] ?? match?.[1])
    if (match === null || from > to || to > 16383) {
      throw new ConfigError(`Invalid configuration: ${name} entry ${JSON.stringify(entry)} is not a slot range from-to within 0-16383 (e.g. 0-5460)`)
    }
    return [from, to]
  })
}

/**
 * REDIS_SENTINELS or REDIS_CLUSTER_NODES (exclusive) select the topology. In both, REDIS_URL still supplies the data
 * nodes' credentials and TLS (rediss://); its host and port are not used. Cluster has only database 0.
 */
export function parseRedisTopology (env: {
  REDIS_URL: string, REDIS_SENTINELS?: string, REDIS_SENTINEL_NAME: string, REDIS_SENTINEL_PASSWORD?: string, REDIS_CLUSTER_NODES?: string,
  REDIS_CLUSTER_NAT_MAP?: string, REDIS_LOCAL_NODES?: string
}): RedisTopology {
  const { REDIS_SENTINELS: sentinels, REDIS_CLUSTER_NODES: clusterNodes, REDIS_CLUSTER_NAT_MAP: natMap, REDIS_LOCAL_NODES: localNodes } = env
  for (const [name, value] of [['REDIS_CLUSTER_NAT_MAP', natMap], ['REDIS_LOCAL_NODES', localNodes]] as const) {
    if (value !== undefined && clusterNodes === undefined) {
      throw new ConfigError(`Invalid configuration: ${name} applies to a Redis Cluster only; set REDIS_CLUSTER_NODES too`)
    }
  }
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
    return {
      kind: 'cluster',
      nodes: parseHostPorts('REDIS_CLUSTER_NODES', clusterNodes),
      ...(natMap === undefined ? {} : { natMap: parseNatMap(natMap) }),
      ...(localNodes === undefined ? {} : { localNodes: parseHostPorts('REDIS_LOCAL_NODES', localNodes) })
    }
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
