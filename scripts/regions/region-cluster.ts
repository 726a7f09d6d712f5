// The three-region Redis Cluster on one machine (docs/regions.md): nine nodes, master i in region i (127.0.0.i),
// one replica of each master in each other region, every announced address a link proxy (40 ms each way between
// regions by default). A client of region r connects with seedsFor(r) and natMapFor(r), so every connection it makes
// leaves through region r's links. close() releases every process, proxy, socket and timer it started.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { createAdminClients, until } from './cluster-admin.js'
import { announcedAddress, formCluster, keyOfShard, settledOn, SHARD_SLOTS, viewOf } from './cluster-form.js'
import { createLinks, type LatencyMs, type Links } from './links.js'
import { REGIONS, startRegionNode, type RegionNode } from './region-node.js'

export { keyOfShard, REGIONS, SHARD_SLOTS }

export interface HostPort { host: string, port: number }

export interface RegionCluster {
  links: Links
  nodes: RegionNode[]
  /** Region r's listeners of the three first masters: the seeds of a client of region r. */
  seedsFor (region: number): HostPort[]
  /** ioredis natMap for a client of region r: every announced address → region r's listener of that node. */
  natMapFor (region: number): Record<string, HostPort>
  /**
   * REDIS_CLUSTER_NODES, REDIS_CLUSTER_NAT_MAP and REDIS_LOCAL_NODES for a Rotor instance of region r (seedsFor,
   * natMapFor, and region r's listeners of its own three nodes).
   */
  envFor (region: number): { REDIS_CLUSTER_NODES: string, REDIS_CLUSTER_NAT_MAP: string, REDIS_LOCAL_NODES: string }
  /** An admin connection straight to a node (outside the links). */
  admin (node: RegionNode): Redis
  /** The node that serves `slot` as `viewer` sees it (default: the first live node). */
  masterOf (slot: number, viewer?: RegionNode): Promise<RegionNode | undefined>
  /**
   * Until both replicas of region r's master hold every write it has acknowledged so far (a marker write, then WAIT
   * on that connection): replication is asynchronous, so a cut or a kill right after a write may otherwise lose it.
   * `master` and `replicas`: another node now serving shard r (a promoted replica) and how many replicas it must have.
   */
  replicated (region: number, timeoutMs: number, options?: { master?: RegionNode, replicas?: number }): Promise<void>
  /** Cut region r from the two others on every proxy at once (a partition: nothing is reset). */
  isolate (region: number): void
  /** Heal every cut link. */
  heal (): void
  /** SIGKILL the region's three nodes, as a lost region. */
  kill (region: number): void
  /** Until every live node sees one master per shard, all agree and every replica is in sync. */
  waitUntilSettled (timeoutMs: number): Promise<void>
  close (): Promise<void>
}

export interface RegionClusterOptions {
  latencyMs?: number | LatencyMs
  nodeTimeoutMs?: number
  /** Replicas per shard allowed to start a failover: 1 (default, docs/regions.md) or 2 (both, split votes). */
  failoverCandidates?: 1 | 2
  /** How long forming may take on a busy machine. */
  formTimeoutMs?: number
}

/** The failover candidate of shard s: its replica in the next region (1 → 2, 2 → 3, 3 → 1). */
export const candidateRegion = (shard: number): number => shard % REGIONS.length + 1

export async function startRegionCluster (options: RegionClusterOptions = {}): Promise<RegionCluster> {
  const links = createLinks({ latencyMs: options.latencyMs })
  const dir = mkdtempSync(join(tmpdir(), 'rotor-regions-'))
  const admin = createAdminClients()
  const nodes: RegionNode[] = []
  const killed = new Set<RegionNode>()
  const close = async (): Promise<void> => {
    admin.close()
    await Promise.all(nodes.map((node) => node.close()))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (const shard of REGIONS) {
      for (const region of REGIONS) {
        const noFailover = region !== shard && options.failoverCandidates !== 2 && region !== candidateRegion(shard)
        nodes.push(await startRegionNode({ region, shard, links, dir, noFailover, nodeTimeoutMs: options.nodeTimeoutMs ?? 3000 }))
      }
    }
    await formCluster(admin, nodes, options.formTimeoutMs ?? 120_000)
  } catch (err) {
    await close()
    throw err
  }
  const byAddress = (address: string) => nodes.find((n) => announcedAddress(n) === address)
  const live = () => nodes.filter((n) => !killed.has(n))
  const listener = (node: RegionNode, region: number): HostPort => {
    const found = node.listeners.get(region)
    if (found === undefined) throw new Error(`no region ${region}`)
    return found
  }
  const seedsFor = (region: number) => nodes.filter((n) => n.region === n.shard).map((n) => listener(n, region))
  const natMapFor = (region: number) => Object.fromEntries(nodes.map((n) => [announcedAddress(n), listener(n, region)]))
  const hostPort = ({ host, port }: HostPort) => `${host}:${port}`
  return {
    links,
    nodes,
    seedsFor,
    natMapFor,
    envFor: (region) => ({
      REDIS_CLUSTER_NODES: seedsFor(region).map(hostPort).join(','),
      REDIS_CLUSTER_NAT_MAP: Object.entries(natMapFor(region)).map(([announced, to]) => `${announced}=${hostPort(to)}`).join(','),
      REDIS_LOCAL_NODES: nodes.filter((n) => n.region === region).map((n) => hostPort(listener(n, region))).join(',')
    }),
    admin: (node) => admin.node(node.host, node.port),
    async masterOf (slot, viewer = live()[0]) {
      if (viewer === undefined) return undefined
      const view = await viewOf(admin, viewer)
      const master = view.find((n) => n.master && !n.failing && n.slots.some(([a, b]) => slot >= a && slot <= b))
      return master === undefined ? undefined : byAddress(master.address)
    },
    async replicated (region, timeoutMs, { master, replicas = 2 } = {}) {
      const home = master ?? nodes.find((n) => n.region === region && n.shard === region)!
      const connection = admin.node(home.host, home.port)
      await until(`region ${region}'s replicas to hold its writes`, async () => {
        await connection.set(keyOfShard(region, 'regions-harness-replicated'), String(Date.now()))
        return (await connection.wait(replicas, 1000)) >= replicas
      }, timeoutMs)
    },
    isolate (region) {
      for (const other of REGIONS) if (other !== region) links.cut(region, other)
    },
    heal () {
      for (const a of REGIONS) for (const b of REGIONS) if (a < b) links.heal(a, b)
    },
    kill (region) {
      for (const node of nodes.filter((n) => n.region === region)) { node.kill(); killed.add(node) }
    },
    async waitUntilSettled (timeoutMs) {
      await until('every live node to agree on one master per shard', async () => {
        const addresses = new Set(live().map(announcedAddress))
        for (const node of live()) if (!(await settledOn(admin, node, addresses))) return false
        return true
      }, timeoutMs)
    },
    close
  }
}
