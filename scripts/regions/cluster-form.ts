// Forming the three-region Cluster the way redis-cli --cluster create does, but with our layout (master i in region
// i, its replicas in the two other regions) and announced proxy addresses: unique config epochs, MEET, slots,
// REPLICATE, then wait until every node agrees and every replica is in sync.
import calculateSlot from 'cluster-key-slot'
import { infoField, parseClusterNodes, until, type AdminClients, type NodeView } from './cluster-admin.js'
import type { RegionNode } from './region-node.js'

/** Region i's master owns the i-th third of the slots: the home of region i's users. */
export const SHARD_SLOTS: ReadonlyMap<number, readonly [number, number]> = new Map([[1, [0, 5460]], [2, [5461, 10922]], [3, [10923, 16383]]])

export async function viewOf (admin: AdminClients, node: RegionNode): Promise<NodeView[]> {
  return parseClusterNodes(await admin.node(node.host, node.port).cluster('NODES') as string)
}

export async function clusterStateOk (admin: AdminClients, node: RegionNode): Promise<boolean> {
  return (await admin.node(node.host, node.port).cluster('INFO') as string).includes('cluster_state:ok')
}

/**
 * Whether `node` sees the cluster settled: every node of `live` (announced addresses) known and reachable, exactly
 * one master per shard's slot range among them (whoever it is), each other live node a replica of one of them, and
 * the node itself ok and, if a replica, in sync with its master. Nodes outside `live` (killed) are not looked at.
 */
export async function settledOn (admin: AdminClients, node: RegionNode, live: ReadonlySet<string>): Promise<boolean> {
  const view = (await viewOf(admin, node)).filter((n) => live.has(n.address))
  if (view.length !== live.size || view.some((n) => n.failing || (!n.myself && !n.linkConnected))) return false
  const masters = view.filter((n) => n.master)
  if (masters.length !== SHARD_SLOTS.size) return false
  for (const [from, to] of SHARD_SLOTS.values()) {
    if (masters.filter((m) => m.slots.some(([a, b]) => a === from && b === to)).length !== 1) return false
  }
  if (view.filter((n) => !n.master).some((n) => !masters.some((m) => m.id === n.masterId))) return false
  if (!(await clusterStateOk(admin, node))) return false
  const replication = await admin.node(node.host, node.port).info('replication')
  return infoField(replication, 'role') === 'master' || infoField(replication, 'master_link_status') === 'up'
}

export const announcedAddress = (node: RegionNode): string => `${node.announced.host}:${node.announced.port}`

/** A key of shard s's slots, for a harness write straight to its master. */
export function keyOfShard (shard: number, name: string): string {
  const [from, to] = SHARD_SLOTS.get(shard)!
  for (let i = 0; ; i++) {
    const key = `{${name}-${i}}`
    const slot = calculateSlot(key)
    if (slot >= from && slot <= to) return key
  }
}

export async function formCluster (admin: AdminClients, nodes: RegionNode[], timeoutMs: number): Promise<void> {
  const client = (node: RegionNode) => admin.node(node.host, node.port)
  // Distinct epochs up front, as redis-cli does: the first failovers then need no epoch-collision round.
  for (const [i, node] of nodes.entries()) await client(node).cluster('SET-CONFIG-EPOCH', i + 1)
  const [first] = nodes
  if (first === undefined) throw new Error('no nodes')
  // Meet through the announced (proxy) addresses, so the nodes record those and the bus goes through the links.
  for (const node of nodes.slice(1)) await client(first).call('CLUSTER', 'MEET', node.announced.host, String(node.announced.port), String(node.announcedBusPort))
  const masters = nodes.filter((n) => n.region === n.shard)
  for (const master of masters) {
    const [from, to] = SHARD_SLOTS.get(master.shard)!
    await client(master).cluster('ADDSLOTSRANGE', from, to)
  }
  await until('every node to know the nine nodes', async () => {
    for (const node of nodes) {
      const view = await viewOf(admin, node)
      if (view.length !== nodes.length || view.some((n) => n.failing)) return false
    }
    return true
  }, timeoutMs)
  const ids = new Map<number, string>()
  for (const master of masters) ids.set(master.shard, await client(master).cluster('MYID') as string)
  for (const replica of nodes.filter((n) => n.region !== n.shard)) await client(replica).cluster('REPLICATE', ids.get(replica.shard)!)
  await until('cluster_state:ok on every node and every replica in sync', async () => {
    const all = new Set(nodes.map(announcedAddress))
    for (const node of nodes) if (!(await settledOn(admin, node, all))) return false
    return true
  }, timeoutMs)
  // In sync is not yet writable: right after the first sync a master may still count no replica as good
  // (min-replicas-max-lag, from the once-a-second ACKs) and answer NOREPLICAS. Ready means every master takes a write.
  await until('every master to take writes', async () => {
    for (const master of masters) {
      const key = keyOfShard(master.shard, 'regions-harness-ready')
      await client(master).set(key, '1')
      await client(master).del(key)
    }
    return true
  }, timeoutMs)
}
