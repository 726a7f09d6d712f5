// One data node of the three-region Redis Cluster: a redis-server on 127.0.0.<region> behind link proxies, with the
// settings docs/regions-notes.md chose, each with its reason below. The node announces only proxy addresses, so
// every other node, every replica link and every client goes through a link and gets its latency and its cuts.
import { join } from 'node:path'
import { freePort, startRedisServer, type RedisProcess } from '../../src/redis-server.js'
import { startLinkProxy, type LinkProxy } from './link-proxy.js'
import { regionAddress, type Links } from './links.js'

export const REGIONS = [1, 2, 3] as const

export interface RegionNode {
  /** `r<region>-s<shard>`: shard s's master starts in region s, its replicas in the two other regions. */
  name: string
  region: number
  shard: number
  host: string
  /** The real client port (admin connections go straight here, outside the links). */
  port: number
  /** The announced address other nodes and replicas use: the client proxy. */
  announced: { host: string, port: number }
  /** The announced Cluster bus port: the bus proxy (for CLUSTER MEET). */
  announcedBusPort: number
  /** Per client region: the listener that gives a client of that region its link to this node (`from: r`). */
  listeners: Map<number, { host: string, port: number }>
  /** SIGKILL the process (a region lost), without waiting. */
  kill (): void
  /** Close the proxies (every connection through them destroyed) and stop the process. */
  close (): Promise<void>
}

export interface RegionNodeOptions {
  region: number
  shard: number
  links: Links
  dir: string
  /** A replica that must never start a failover (`cluster-replica-no-failover`): one candidate per shard. */
  noFailover: boolean
  nodeTimeoutMs: number
}

/** The settings of every node; the reasons are measured in docs/regions-notes.md ("The three-region Cluster"). */
function clusterArgs (options: RegionNodeOptions, host: string, busPort: number, client: LinkProxy, bus: LinkProxy, name: string): string[] {
  return [
    '--cluster-enabled', 'yes',
    '--cluster-config-file', join(options.dir, `nodes-${name}.conf`),
    '--cluster-port', String(busPort),
    // Without a password, protected mode refuses 127.0.0.2 and 127.0.0.3 (only 127.0.0.1 counts as local).
    '--protected-mode', 'no',
    // Outgoing bus and replication connections leave from the region's address, so the proxies see their region.
    '--bind-source-addr', host,
    '--cluster-announce-ip', host,
    '--cluster-announce-port', String(client.port),
    '--cluster-announce-bus-port', String(bus.port),
    '--cluster-node-timeout', String(options.nodeTimeoutMs),
    // The replicas elsewhere are the only copies of a lost region's slots: promote one however long it was cut off.
    '--cluster-replica-validity-factor', '0',
    // Migration ignores regions; each region keeps exactly one replica of every other region's master.
    '--cluster-allow-replica-migration', 'no',
    '--cluster-allow-reads-when-down', 'no',
    // With full coverage required, every node stops while a lost region's slots have no master, and the other
    // regions' users would get CLUSTERDOWN for their own slots. A minority master still fences itself.
    '--cluster-require-full-coverage', 'no',
    // A cut-off master refuses writes 1.2–2.4 s after the cut, before its CLUSTERDOWN; a healthy link (ACK once a
    // second) never trips a lag of 1.
    '--min-replicas-to-write', '1',
    '--min-replicas-max-lag', '1',
    // A replica's first sync starts at once (by default the master waits 5 s for more replicas to share it).
    '--repl-diskless-sync-delay', '0',
    ...(options.noFailover ? ['--cluster-replica-no-failover', 'yes'] : [])
  ]
}

async function closeAll (proxies: LinkProxy[]): Promise<void> {
  await Promise.all(proxies.map((proxy) => proxy.close()))
}

/**
 * Start the proxies first (ports the system picks on 127.0.0.<region>), then the node on ports checked free on that
 * same address: ports are per address, and a proxy of ours once held a port the node then failed to bind. The
 * proxies' target is filled in once the node's port is known; a node that cannot bind is retried on new ports.
 */
export async function startRegionNode (options: RegionNodeOptions): Promise<RegionNode> {
  const { region, shard, links } = options
  const host = regionAddress(region)
  const name = `r${region}-s${shard}`
  const clientTarget = { host, port: 0 }
  const busTarget = { host, port: 0 }
  const proxies: LinkProxy[] = []
  let redis: RedisProcess | undefined
  try {
    const client = await startLinkProxy({ target: clientTarget, region, links })
    proxies.push(client)
    const bus = await startLinkProxy({ target: busTarget, region, links })
    proxies.push(bus)
    const listeners = new Map<number, { host: string, port: number }>()
    for (const from of REGIONS) {
      const listener = await startLinkProxy({ target: clientTarget, region, links, from })
      proxies.push(listener)
      listeners.set(from, { host: listener.host, port: listener.port })
    }
    for (let attempt = 1; redis === undefined; attempt++) {
      clientTarget.port = await freePort(host)
      busTarget.port = await freePort(host)
      if (busTarget.port === clientTarget.port) continue
      try {
        redis = await startRedisServer({ host, port: clientTarget.port, args: ['--dir', options.dir, ...clusterArgs(options, host, busTarget.port, client, bus, name)] })
      } catch (err) {
        // Another process took a port between the check and the bind (the machine is shared): try new ones.
        if (attempt >= 5) throw err
      }
    }
    const server = redis
    return {
      name,
      region,
      shard,
      host,
      port: server.port,
      announced: { host: client.host, port: client.port },
      announcedBusPort: bus.port,
      listeners,
      kill: () => { server.process.kill('SIGKILL') },
      async close () {
        await closeAll(proxies)
        await server.stop()
      }
    }
  } catch (err) {
    await closeAll(proxies)
    await redis?.stop()
    throw err
  }
}
