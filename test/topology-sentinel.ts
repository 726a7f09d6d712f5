// A real Sentinel setup for tests: a primary with 2 replicas, watched by 3 Sentinels (quorum 2) that declare a node
// down after 1 s, with helpers for a planned failover and for killing the primary.
import type { Redis } from 'ioredis'
import { freePort, startRedisServer, type RedisProcess } from '../src/redis-server.js'
import type { Test } from './helper.js'
import { info, nodeClient, scratchDir, startFromConfig, startNodes, until, writeConfig } from './topologies.js'

export const MASTER_NAME = 'mymaster'

export interface TestSentinels {
  /** REDIS_SENTINELS for the app. */
  sentinels: string
  node (port: number): Redis
  /** The primary's port, once every Sentinel agrees on it. */
  primary (): Promise<number>
  /**
   * A planned failover that loses no acknowledged write: writes on the primary are paused until the replicas hold
   * all of them, SENTINEL FAILOVER promotes one, and the old primary follows it before writes resume (Sentinel would
   * only demote it seconds later, and writes it took meanwhile would be lost). Returns the new primary's port.
   */
  failover (): Promise<number>
  /** SIGKILL the primary and wait for the Sentinels to promote a replica (an unplanned failover). */
  kill (): Promise<number>
  /** Ports of the data nodes that are not the primary. */
  replicas (): Promise<number[]>
  /** Send a signal to a data node's process (SIGSTOP freezes it: it neither answers nor acknowledges). */
  signal (port: number, signal: NodeJS.Signals): void
  /** Start a killed data node again as a replica of the primary; resolves once every Sentinel counts it healthy. */
  revive (port: number): Promise<void>
}

export async function startSentinels (t: Test): Promise<TestSentinels> {
  const dir = scratchDir(t, 'sentinel')
  const [first] = await startNodes(t, dir, 1, () => [])
  const replicas = await startNodes(t, dir, 2, () => ['--replicaof', '127.0.0.1', String(first!.port)])
  const data: RedisProcess[] = [first!, ...replicas]
  const clients = new Map<number, Redis>()
  const node = (port: number): Redis => {
    if (!clients.has(port)) clients.set(port, nodeClient(t, port))
    return clients.get(port)!
  }
  const role = async (port: number) => (await info(node(port), 'replication')).get('role')
  await until('replicas in sync', async () => {
    for (const r of replicas) if ((await info(node(r.port), 'replication')).get('master_link_status') !== 'up') return false
    return true
  })

  const sentinelPorts = await Promise.all([1, 2, 3].map(() => freePort()))
  await Promise.all(sentinelPorts.map((port) => startFromConfig(t, writeConfig(dir, `sentinel-${port}.conf`, [
    `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${first!.port} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    `sentinel failover-timeout ${MASTER_NAME} 5000`,
    `sentinel parallel-syncs ${MASTER_NAME} 2`
  ]), port, ['--sentinel'])))
  const ask = (port: number, ...args: string[]) => node(port).call('SENTINEL', ...args) as Promise<unknown[]>
  // Sentinels find the replicas through the primary and each other through hello messages (every 2 s).
  await until('every Sentinel knows the replicas and the other Sentinels', async () => {
    for (const port of sentinelPorts) {
      if ((await ask(port, 'REPLICAS', MASTER_NAME)).length !== 2) return false
      if ((await ask(port, 'SENTINELS', MASTER_NAME)).length !== 2) return false
    }
    return true
  })

  const primary = async (): Promise<number> => {
    const seen = await Promise.all(sentinelPorts.map(async (port) => Number((await ask(port, 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME))[1])))
    if (seen.some((port) => port !== seen[0])) throw new Error(`Sentinels disagree on the primary: ${seen.join(', ')}`)
    return seen[0]!
  }
  const promoted = async (old: number): Promise<number> => {
    let next = old
    await until('a promoted replica', async () => {
      next = await primary()
      return next !== old && (await role(next)) === 'master'
    })
    return next
  }

  return {
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    node,
    primary,
    async failover () {
      const old = await primary()
      await node(old).call('CLIENT', 'PAUSE', '10000', 'WRITE')
      try {
        const offset = (await info(node(old), 'replication')).get('master_repl_offset')
        await until('replicas caught up', async () => {
          for (const r of data.filter((d) => d.port !== old)) {
            if ((await info(node(r.port), 'replication')).get('slave_repl_offset') !== offset) return false
          }
          return true
        })
        await ask(sentinelPorts[0]!, 'FAILOVER', MASTER_NAME)
        const next = await promoted(old)
        await node(old).call('REPLICAOF', '127.0.0.1', String(next))
        return next
      } finally {
        await node(old).call('CLIENT', 'UNPAUSE')
      }
    },
    async replicas () {
      const current = await primary()
      return data.map((d) => d.port).filter((port) => port !== current)
    },
    signal (port, signal) {
      data.find((d) => d.port === port)?.process.kill(signal)
    },
    async revive (port) {
      const index = data.findIndex((d) => d.port === port)
      const revived = await startRedisServer({ port, args: ['--dir', dir, '--repl-diskless-sync-delay', '0', '--replicaof', '127.0.0.1', String(await primary())] })
      t.teardown(() => revived.stop())
      data[index] = revived
      await until(`every Sentinel counts ${port} as a healthy replica again`, async () => {
        for (const sentinel of sentinelPorts) {
          const replicas = (await ask(sentinel, 'REPLICAS', MASTER_NAME)) as string[][]
          const flags = replicas.map((fields) => fields[fields.indexOf('flags') + 1] ?? '')
          if (flags.length !== 2 || flags.some((f) => f !== 'slave')) return false
        }
        return (await info(node(port), 'replication')).get('master_link_status') === 'up'
      }, 30_000)
    },
    async kill () {
      const old = await primary()
      data.find((d) => d.port === old)?.process.kill('SIGKILL')
      return promoted(old)
    }
  }
}
