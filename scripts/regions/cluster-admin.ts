// Admin connections to the three-region Cluster's nodes, straight to each node's real port (outside the links, so a
// cut never hides what a node thinks), and the parsed CLUSTER NODES view the harness waits on.
import { Redis } from 'ioredis'

export interface NodeView {
  id: string
  /** The announced address, host:port (a client proxy). */
  address: string
  master: boolean
  /** fail, pfail, handshake, noaddr...: flags that mean the view is not settled. */
  failing: boolean
  myself: boolean
  masterId: string
  linkConnected: boolean
  slots: Array<[number, number]>
}

export function parseClusterNodes (text: string): NodeView[] {
  return text.trim().split('\n').map((line) => {
    const [id = '', address = '', flags = '', masterId = '', , , , link = '', ...slots] = line.split(' ')
    const flagList = flags.split(',')
    return {
      id,
      address: address.split('@')[0] ?? '',
      master: flagList.includes('master'),
      failing: flagList.some((f) => ['fail', 'fail?', 'handshake', 'noaddr'].includes(f)),
      myself: flagList.includes('myself'),
      masterId,
      linkConnected: link === 'connected',
      slots: slots.filter((s) => !s.startsWith('[')).map((s) => {
        const [from = 0, to = from] = s.split('-').map(Number)
        return [from, to] as [number, number]
      })
    }
  })
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll until `check` holds; throws after `timeoutMs` naming what never happened. A throwing check counts as false. */
export async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

export interface AdminClients {
  node (host: string, port: number): Redis
  /** Disconnect every admin connection (no reconnect timer is left behind). */
  close (): void
}

/**
 * One connection per node, opened on first use. Commands fail fast when the node is down (no retry, no waiting in
 * a queue beyond one reconnect attempt), so polling a killed node answers false instead of hanging.
 */
export function createAdminClients (): AdminClients {
  const clients = new Map<string, Redis>()
  return {
    node (host, port) {
      const key = `${host}:${port}`
      let client = clients.get(key)
      if (client === undefined) {
        client = new Redis({ host, port, connectionName: 'regions-admin', maxRetriesPerRequest: 0, retryStrategy: () => 200, commandTimeout: 10_000, connectTimeout: 5_000 })
        client.on('error', () => undefined)
        clients.set(key, client)
      }
      return client
    },
    close () {
      for (const client of clients.values()) client.disconnect()
      clients.clear()
    }
  }
}

/** A field of INFO's text, e.g. `master_link_status`. */
export function infoField (text: string, field: string): string | undefined {
  const line = text.split('\r\n').find((l) => l.startsWith(`${field}:`))
  return line?.slice(field.length + 1)
}
