// Which session writes wait for replicas (WAIT) before they are answered, and for how many. Redis replication is
// asynchronous: a primary that dies right after answering takes its last writes with it. Losing a rotation is a
// nuisance (the client's next refresh looks like a rollback), losing a revocation is a security failure (a logged-out
// session comes back), so:
// - a revocation waits for one replica whenever the node that holds it has one, REDIS_WAIT_REPLICAS or not;
// - with REDIS_WAIT_REPLICAS = N, every write that hands out or takes away a token waits for N replicas, or for all
//   the node has when it has fewer (a promoted replica has none of its own): a node with no replica cannot lose a
//   write to a failover, and answering 503 for every write of that shard until someone adds a replica would log its
//   users out. Such a degraded write is counted and logged (onDegraded).
// "Has a replica" is cheap to know: the online replicas in INFO replication of the node that takes the write (on a
// Cluster the master of the key's slot; CLUSTER SLOTS is no substitute, it omits replicas gossip has not caught up
// on), read at most once a second per node and again after each reconnect. A replica that is online but frozen still
// counts: writes then answer 503 until it acknowledges again.
import calculateSlot from 'cluster-key-slot'
import type { Cluster, ClusterOptions, Redis } from 'ioredis'
import type { RedisConfig } from './config.js'
import { StoreUnavailableError } from './redis-errors.js'
import type { Durability, RedisClient } from './sessions/scripts.js'

/** 'issue': a write that hands out a token (login, rotation). 'revoke': one that takes tokens away. */
export type WritePurpose = 'issue' | 'revoke'

export interface DegradedWrite { purpose: WritePurpose, wanted: number, available: number }

export interface DurabilityPolicy {
  /** How many replicas a write of `key` waits for, and how long (replicas 0: it does not wait). */
  forWrite (purpose: WritePurpose, key: string): Promise<Durability>
  /**
   * WAIT on the connection that last wrote `key`, as a revocation would: for revocations a script made on its own
   * (reuse detection inside a rotation). Throws NOREPLICAS (answered 503) when the replica does not acknowledge.
   */
  confirmRevocation (key: string): Promise<void>
  /**
   * WAIT, best effort, for every online replica of the node that last wrote `key`: a write that must be readable from
   * any region's replica (the email index with REDIS_LOCAL_NODES) but is already made. Resolves with how many
   * acknowledged within the revocation timeout; never rejects.
   */
  spreadToReplicas (key: string): Promise<number>
  onDegraded (listener: (event: DegradedWrite) => void): void
}

const INFO_CACHE_MS = 1000
const ONLINE_REPLICA = /^slave[0-9]+:.*\bstate=online\b/gm

/** The number of replicas in an INFO replication reply that are online (synced and streaming). */
export function onlineReplicas (info: string): number {
  return info.match(ONLINE_REPLICA)?.length ?? 0
}

/**
 * Where the client connects for an address in its slot map. After a MOVED, ioredis 5.11 writes the address the reply
 * announced into the map, unmapped, while it connects to the NAT-mapped one (cluster/index.js, the `moved` handler);
 * until its next slot refresh the map names a node no connection is known by.
 */
export function connectedAddress (address: string, natMap: ClusterOptions['natMap']): string {
  const mapped = typeof natMap === 'function' ? natMap(address) : natMap?.[address]
  return mapped === undefined || mapped === null ? address : `${mapped.host}:${mapped.port}`
}

/** The master connection of the Cluster node that serves `key`'s slot, as the client's slot map has it. */
function clusterNodeFor (cluster: Cluster, key: string): Redis {
  const inMap = cluster.slots[calculateSlot(key)]?.[0]
  const address = inMap === undefined ? undefined : connectedAddress(inMap, cluster.options.natMap)
  const node = address === undefined ? undefined : cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address)
  if (node === undefined) throw new StoreUnavailableError(`CLUSTERDOWN no known node serves the slot of ${key}`)
  return node
}

/** The connection a write of `key` goes through: the client itself, or on a Cluster the master serving its slot. */
function nodeFor (redis: RedisClient, key: string): Redis {
  return redis.isCluster ? clusterNodeFor(redis as Cluster, key) : redis as Redis
}

function replicaCounter (redis: RedisClient): (key: string) => Promise<number> {
  // By node address: bounded by the number of nodes, and a node's replacement connection finds its entry.
  const cached = new Map<string, { count: number, atMs: number }>()
  const reading = new Map<string, Promise<number>>()
  // A reconnect may have reached another primary (Sentinel failover): read its replicas afresh.
  if (!redis.isCluster) redis.on('ready', () => { cached.clear() })
  return async (key) => {
    const node = nodeFor(redis, key)
    const address = `${node.options.host}:${node.options.port}`
    const known = cached.get(address)
    if (known !== undefined && Date.now() - known.atMs < INFO_CACHE_MS) return known.count
    let read = reading.get(address)
    if (read === undefined) {
      read = node.info('replication').then((info) => {
        const count = onlineReplicas(info)
        cached.set(address, { count, atMs: Date.now() })
        return count
      }).finally(() => { reading.delete(address) })
      reading.set(address, read)
    }
    return read
  }
}

const NO_WAIT: Durability = { replicas: 0, timeoutMs: 0 }

/** A policy that never waits: bulk jobs (seeding) and tests of the scripts alone. */
export const NO_DURABILITY: DurabilityPolicy = {
  forWrite: async () => NO_WAIT,
  confirmRevocation: async () => undefined,
  spreadToReplicas: async () => 0,
  onDegraded: () => undefined
}

export function createDurabilityPolicy (redis: RedisClient, config: Pick<RedisConfig, 'waitReplicas' | 'waitTimeoutMs' | 'commandTimeoutMs'>): DurabilityPolicy {
  const configured = config.waitReplicas
  // Without durable mode the wait timeout is not checked against the command timeout (config.ts): stay well inside it.
  const revocationTimeoutMs = configured > 0 ? config.waitTimeoutMs : Math.min(config.waitTimeoutMs, Math.floor(config.commandTimeoutMs / 2))
  const count = replicaCounter(redis)
  const listeners: Array<(event: DegradedWrite) => void> = []

  async function forWrite (purpose: WritePurpose, key: string): Promise<Durability> {
    if (configured === 0 && purpose === 'issue') return NO_WAIT
    const available = await count(key)
    if (configured === 0) return available > 0 ? { replicas: 1, timeoutMs: revocationTimeoutMs } : NO_WAIT
    if (available < configured) for (const listener of listeners) listener({ purpose, wanted: configured, available })
    return { replicas: Math.min(configured, available), timeoutMs: config.waitTimeoutMs }
  }

  return {
    forWrite,
    async confirmRevocation (key) {
      const { replicas, timeoutMs } = await forWrite('revoke', key)
      if (replicas === 0) return
      const acked = await nodeFor(redis, key).wait(replicas, timeoutMs)
      if (acked < replicas) throw new StoreUnavailableError(`NOREPLICAS ${acked} of ${replicas} replicas acknowledged the revocation within ${timeoutMs} ms`)
    },
    async spreadToReplicas (key) {
      try {
        const available = await count(key)
        return available === 0 ? 0 : await nodeFor(redis, key).wait(available, revocationTimeoutMs)
      } catch {
        return 0
      }
    },
    onDegraded (listener) { listeners.push(listener) }
  }
}
