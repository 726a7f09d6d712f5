// A real Redis Cluster for tests: 3 masters with 1 replica each (redis-cli --cluster create), with helpers to fail a
// master over to its replica and to migrate a slot between masters the way redis-cli --cluster reshard does.
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { Test } from './helper.js'
import { freePort } from '../src/redis-server.js'
import { info, nodeClient, run, scratchDir, startNodes, until } from './topologies.js'

interface NodeView { id: string, port: number, master: boolean, masterId: string, slots: Array<[number, number]> }

export interface TestCluster {
  /** REDIS_CLUSTER_NODES for the app: every node, masters and replicas alike. */
  seeds: string
  ports: number[]
  node (port: number): Redis
  /** The master serving `key`'s slot and that master's replica (-1: none left), as `port` sees the cluster. */
  ownerOf (key: string, port?: number): Promise<{ slot: number, master: number, replica: number }>
  /** Ports of the masters, as the first node sees the cluster. */
  masters (): Promise<number[]>
  /** CLUSTER FAILOVER on the replica of `masterPort` (a coordinated failover: no acknowledged write is lost). */
  failover (masterPort: number): Promise<number>
  /** Send a signal to a node's process (SIGSTOP freezes it: it neither answers nor acknowledges). */
  signal (port: number, signal: NodeJS.Signals): void
  /** SIGKILL a master and wait until its replica has taken over on every surviving node (an unplanned failover). */
  kill (masterPort: number): Promise<number>
  /** Move `slot` and its keys from one master to another (IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE). */
  migrateSlot (slot: number, from: number, to: number, afterKeysMoved?: () => Promise<void>): Promise<void>
}

function parseNodes (text: string): NodeView[] {
  return text.trim().split('\n').map((line) => {
    const [id = '', address = '', flags = '', masterId = '', , , , , ...slots] = line.split(' ')
    return {
      id,
      port: Number(address.split('@')[0]?.split(':')[1]),
      master: flags.split(',').includes('master'),
      masterId,
      slots: slots.filter((s) => !s.startsWith('[')).map((s) => {
        const [from = 0, to = from] = s.split('-').map(Number)
        return [from, to] as [number, number]
      })
    }
  })
}

export async function startCluster (t: Test): Promise<TestCluster> {
  const dir = scratchDir(t, 'cluster')
  // The bus port is named (by default it is port + 10000, which may be taken or out of range), drawn afresh with
  // each try's port.
  const processes = await startNodes(t, dir, 6, async (port) => ['--cluster-enabled', 'yes', '--cluster-node-timeout', '1000',
    '--cluster-port', String(await freePort()), '--cluster-config-file', join(dir, `nodes-${port}.conf`)])
  const ports = processes.map((p) => p.port)
  const clients = new Map<number, Redis>()
  const node = (port: number): Redis => {
    if (!clients.has(port)) clients.set(port, nodeClient(t, port))
    return clients.get(port)!
  }
  const view = async (port = ports[0]!) => parseNodes(await node(port).cluster('NODES') as string)

  const agreed = async (): Promise<boolean> => {
    for (const port of ports) {
      if (!(await node(port).cluster('INFO') as string).includes('cluster_state:ok')) return false
      const nodes = await view(port)
      if (nodes.length !== 6 || nodes.filter((n) => n.master).length !== 3) return false
      const replication = await info(node(port), 'replication')
      if (replication.get('role') === 'slave' && replication.get('master_link_status') !== 'up') return false
    }
    return true
  }

  try {
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'])
    await until('cluster_state:ok on every node', agreed)
  } catch (err) {
    // Stopped here too: a failed start may end the test process before any teardown runs.
    await Promise.all(processes.map((p) => p.stop()))
    throw err
  }

  const ownerOfSlot = async (slot: number, port = ports[0]!) => {
    const nodes = await view(port)
    const master = nodes.find((n) => n.master && n.slots.some(([from, to]) => slot >= from && slot <= to))
    const replica = nodes.find((n) => n.masterId === master?.id)
    if (master === undefined) throw new Error(`no master serves slot ${slot}`)
    return { slot, master: master.port, replica: replica?.port ?? -1 }
  }

  const masters = async () => (await view()).filter((n) => n.master).map((n) => n.port)

  return {
    seeds: ports.map((p) => `127.0.0.1:${p}`).join(','),
    ports,
    node,
    ownerOf: async (key, port = ports[0]!) => ownerOfSlot(await node(port).cluster('KEYSLOT', key) as number, port),
    masters,
    async failover (masterPort) {
      const nodes = await view()
      const masterId = nodes.find((n) => n.port === masterPort)?.id
      const replica = nodes.find((n) => n.masterId === masterId)
      if (replica === undefined) throw new Error(`master ${masterPort} has no replica`)
      await node(replica.port).cluster('FAILOVER')
      await until(`replica ${replica.port} promoted on every node`, async () => {
        for (const port of ports) if (!(await view(port)).find((n) => n.port === replica.port)?.master) return false
        return agreed()
      })
      return replica.port
    },
    signal (port, signal) {
      processes.find((p) => p.port === port)?.process.kill(signal)
    },
    async kill (masterPort) {
      const nodes = await view()
      const masterId = nodes.find((n) => n.port === masterPort)?.id
      const replica = nodes.find((n) => n.masterId === masterId)
      if (replica === undefined) throw new Error(`master ${masterPort} has no replica`)
      processes.find((p) => p.port === masterPort)?.process.kill('SIGKILL')
      const survivors = ports.filter((p) => p !== masterPort)
      await until(`replica ${replica.port} promoted after the master died`, async () => {
        for (const port of survivors) {
          if (!(await view(port)).find((n) => n.port === replica.port)?.master) return false
          if (!(await node(port).cluster('INFO') as string).includes('cluster_state:ok')) return false
        }
        return true
      })
      return replica.port
    },
    async migrateSlot (slot, from, to, afterKeysMoved) {
      const ids = new Map((await view()).map((n) => [n.port, n.id]))
      await node(to).cluster('SETSLOT', slot, 'IMPORTING', ids.get(from)!)
      await node(from).cluster('SETSLOT', slot, 'MIGRATING', ids.get(to)!)
      for (;;) {
        const keys = await node(from).cluster('GETKEYSINSLOT', slot, 100) as string[]
        if (keys.length === 0) break
        await node(from).migrate('127.0.0.1', to, '', 0, 5000, 'KEYS', ...keys)
      }
      await afterKeysMoved?.()
      // The new owner first, then the old one (which starts answering MOVED), then everyone else (gossip would too).
      for (const port of [to, from, ...(await masters()).filter((p) => p !== to && p !== from)]) {
        await node(port).cluster('SETSLOT', slot, 'NODE', ids.get(to)!)
      }
      await until(`slot ${slot} owned by ${to} on every node`, async () => {
        for (const port of ports) if ((await ownerOfSlot(slot, port)).master !== to) return false
        return true
      })
    }
  }
}
