// Every Redis connection Rotor opens is made here, for the three topologies (REDIS_URL alone, REDIS_SENTINELS,
// REDIS_CLUSTER_NODES). Same rules everywhere: connect and command timeouts, no offline queue (a Redis outage is a
// fast 503, not a pile of waiting requests), a capped reconnect back-off.
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { RedisConfig } from './config.js'
import { createKeyNames } from './key-names.js'
import { localAddresses, localReadRoute } from './redis-local-reads.js'
import { ClusterSubscriber, type RedisSubscriber } from './redis-subscriber.js'
import { watchConnection } from './redis-watchdog.js'
import type { RedisClient } from './sessions/scripts.js'

export type { RedisSubscriber }

/** 'commands': the app's client. 'subscriber': the revocation feed's pub/sub connection (it can run nothing else). */
export type RedisRole = 'commands' | 'subscriber'

/** For bulk jobs (seeding): deep pipelines may outlast the per-request timeout, and waiting out a reconnect beats failing. */
export interface ClientTuning {
  commandTimeout?: boolean
  offlineQueue?: boolean
  enableAutoPipelining?: boolean
  /** Told each time the watchdog re-drives a connection ioredis gave up on (src/redis-watchdog.ts). */
  onRedrive?: (why: 'ended' | 'stuck') => void
}

// A connection attempt (a Sentinel lookup included) that has not become ready after this many connect timeouts is
// started again: 10 s with the default REDIS_CONNECT_TIMEOUT_MS.
const STUCK_CONNECT_TIMEOUTS = 5

const backOff = (attempt: number): number => Math.min(attempt * 100, 2000)

// A READONLY reply means this connection reached a replica: a Sentinel failover demoted the node under us (or a
// managed endpoint moved). Reconnecting asks the Sentinels for the current primary. The command itself is refused,
// answered 503, and retried by the client: with the offline queue off, ioredis's "reconnect and resend" (2) could
// only fail the same way, and a refusal is what every other outage looks like to callers.
const reconnectOnError = (err: Error): 1 | false => err.message.startsWith('READONLY') ? 1 : false

/** Credentials, TLS and database that REDIS_URL gives the data nodes in Sentinel and Cluster mode. */
function dataNodeAuth (url: string): Pick<RedisOptions, 'username' | 'password' | 'tls' | 'db'> {
  const parsed = new URL(url)
  const db = Number(parsed.pathname.slice(1) || 0)
  return {
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    db: Number.isSafeInteger(db) ? db : 0
  }
}

function connectionOptions (config: RedisConfig, role: RedisRole, tuning: ClientTuning): RedisOptions {
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: config.connectTimeoutMs,
    enableOfflineQueue: false,
    retryStrategy: backOff
  }
  if (role === 'subscriber') {
    // Named so it shows in CLIENT LIST; the feed resubscribes and replays the log itself on every 'ready'.
    return { ...common, connectionName: 'rotor-revocation-feed', autoResubscribe: false }
  }
  const timed = tuning.commandTimeout !== false
  return {
    ...common,
    commandTimeout: timed ? config.commandTimeoutMs : undefined,
    // A command sent when the connection dropped may have run; ioredis would send it again once reconnected, long
    // after it was answered 503 and the client moved on through another instance: a rotation replayed then is a
    // reuse, and logs the user out. Left to fail by its timeout instead (see NO_LATE_RESENDS for Cluster).
    autoResendUnfulfilledCommands: !timed,
    enableOfflineQueue: tuning.offlineQueue ?? false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: tuning.enableAutoPipelining ?? false,
    reconnectOnError
  }
}

/**
 * Open nothing yet (lazy): call `connect()` and handle its rejection (the app boots without Redis).
 * Sentinel: the primary the Sentinels name, followed across failovers (ioredis's failover detector subscribes to
 * +switch-master). Cluster: commands routed by slot to masters only; MOVED/ASK and TRYAGAIN are followed by ioredis,
 * a closed connection or CLUSTERDOWN fails the command at once (NO_LATE_RESENDS), answered 503 (isStoreUnavailable).
 */
export function createRedisClient (config: RedisConfig, role: 'commands', tuning?: ClientTuning): RedisClient
export function createRedisClient (config: RedisConfig, role: 'subscriber', tuning?: Pick<ClientTuning, 'onRedrive'>): RedisSubscriber
export function createRedisClient (config: RedisConfig, role: RedisRole, tuning: ClientTuning = {}): RedisClient | RedisSubscriber {
  const options = connectionOptions(config, role, tuning)
  const { topology } = config
  const watched = (client: Redis): Redis => {
    watchConnection(client, { stuckMs: config.connectTimeoutMs * STUCK_CONNECT_TIMEOUTS, onRedrive: tuning.onRedrive })
    return client
  }
  if (topology.kind === 'sentinel') {
    const auth = dataNodeAuth(config.url)
    return watched(new Redis({
      ...options,
      ...auth,
      sentinels: topology.sentinels,
      name: topology.name,
      role: 'master',
      sentinelPassword: topology.sentinelPassword,
      // rediss:// means TLS to the Sentinels as well as to the data nodes.
      enableTLSForSentinelMode: auth.tls !== undefined,
      sentinelTLS: auth.tls,
      sentinelCommandTimeout: config.connectTimeoutMs,
      failoverDetector: true
    }))
  }
  if (topology.kind === 'cluster') {
    const { db: _db, ...auth } = dataNodeAuth(config.url)
    // PUBLISH reaches every node of a Cluster, so the feed listens on one node (a local one first: a revocation
    // arrives without crossing a region) and moves on when it drops.
    if (role === 'subscriber') return new ClusterSubscriber([...topology.localNodes ?? [], ...topology.nodes], { ...options, ...auth })
    const { enableOfflineQueue, retryStrategy: _retry, lazyConnect: _lazy, enableAutoPipelining, ...nodeOptions } = options
    const cluster = new Cluster(topology.nodes, {
      lazyConnect: true,
      enableOfflineQueue,
      enableAutoPipelining,
      // Replicas lag: a rotation must read the generation the last rotation wrote, so every command goes to a master,
      // but for the email lookup, which REDIS_LOCAL_NODES sends to this region's node of its slot.
      scaleReads: topology.localNodes === undefined
        ? 'master'
        : localReadRoute(localAddresses(topology.localNodes, topology.natMap), createKeyNames(config.keyPrefix).emailIndexPrefix()),
      ...NO_LATE_RESENDS,
      slotsRefreshTimeout: config.connectTimeoutMs,
      // Off: refreshed by our own timer below instead.
      slotsRefreshInterval: 0,
      clusterRetryStrategy: backOff,
      // Announced addresses this instance reaches elsewhere (REDIS_CLUSTER_NAT_MAP): a NAT, or its region's links.
      ...(topology.natMap === undefined ? {} : { natMap: topology.natMap }),
      redisOptions: { ...nodeOptions, ...auth }
    })
    refreshSlotsPeriodically(cluster)
    return cluster
  }
  return watched(new Redis(config.url, options))
}

/**
 * ioredis re-sends a Cluster command whose connection closed (it may have run) after retryDelayOnFailover, and one
 * refused with CLUSTERDOWN after retryDelayOnClusterDown, again and again up to maxRedirections, and it goes on after
 * the command timeout has answered the caller: seen as a rotation replayed on the promoted master once the client,
 * answered 503, had rotated twice since: a reuse, the user logged out by a failover. Both off: such a command fails
 * (503, the client retries it as Retry-After says). Replies that say the command did not run (MOVED, ASK, and
 * TRYAGAIN with no delay) are still followed at once.
 */
const NO_LATE_RESENDS = { retryDelayOnFailover: 0, retryDelayOnClusterDown: 0, retryDelayOnTryAgain: 0 } as const

/** Besides MOVED replies, the slot map is re-read this often, so a failover or resharding is noticed early. */
const SLOTS_REFRESH_INTERVAL_MS = 5000

/**
 * ioredis's own `slotsRefreshInterval` re-arms its timer when a refresh that was in flight at quit() ends, and from
 * then on refreshes an empty, closed client for ever (ioredis 5.11, cluster/index.js resetNodesRefreshInterval): the
 * process never exits. Seen when a client is closed while its nodes are slow or gone (a lost region). This timer is
 * cleared when the client ends, and never holds the process open by itself.
 */
function refreshSlotsPeriodically (cluster: Cluster): void {
  const timer = setInterval(() => { if (cluster.status === 'ready') cluster.refreshSlotsCache() }, SLOTS_REFRESH_INTERVAL_MS)
  timer.unref()
  cluster.once('end', () => clearInterval(timer))
}

/** How long a close waits for QUIT's reply before it drops the connections anyway. */
export const CLOSE_GRACE_MS = 2000

/**
 * Close gracefully (pending replies first), then make sure nothing reconnects: after QUIT a Sentinel client's
 * failover detector still holds connections to the Sentinels, which only disconnect() releases. QUIT is awaited for
 * CLOSE_GRACE_MS at most: a node that never answers (frozen, or a Cluster node being replaced while its connection
 * waits) must not hold a shutdown, or a test's teardown, for ever; the subscriber has no command timeout at all.
 */
export async function closeRedisClient (client: RedisClient | RedisSubscriber, graceMs = CLOSE_GRACE_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), graceMs) })
  const quit = await Promise.race([client.quit().then(() => true, () => true), late])
  clearTimeout(timer)
  if (!quit || !(client instanceof Cluster)) client.disconnect()
  // disconnect() only half-closes a socket (FIN): one to a frozen node would stay open and keep the process alive.
  if (!quit) for (const socket of socketsOf(client)) socket.destroy()
}

function socketsOf (client: RedisClient | RedisSubscriber): Array<{ destroy: () => void }> {
  const nodes = client instanceof Cluster ? client.nodes('all') : client instanceof Redis ? [client] : []
  const own = client instanceof ClusterSubscriber ? client.sockets() : []
  return [...own, ...nodes.map((node) => node.stream).filter((stream) => stream !== undefined)]
}

/**
 * How long a boot waits for Redis before going on without it: well inside Fastify's 10 s plugin timeout, so a Redis
 * that is slow to answer (a Cluster mid-failover, a link across regions on a loaded host) never fails the boot; the
 * instance serves local verification at once and its token routes answer 503 until the client is ready.
 */
export const BOOT_READY_WAIT_MS = 5000

/**
 * Connect, or give up at the first connection error or after `waitMs`. The client goes on trying in the background
 * either way (a Sentinel client's connect() itself would not settle until some Sentinel answers, holding up the boot).
 */
export function connectOrFail (client: RedisClient | RedisSubscriber, waitMs = Infinity): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      client.removeListener('error', settle)
      clearTimeout(timer)
      if (err === undefined) resolve(); else reject(err)
    }
    const timer = Number.isFinite(waitMs) ? setTimeout(() => settle(new Error(`not ready within ${waitMs} ms`)), waitMs) : undefined
    client.once('error', settle)
    client.connect().then(() => settle(), settle)
  })
}
