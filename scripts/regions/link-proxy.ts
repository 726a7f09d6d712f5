// A latency-injecting, partitionable TCP proxy in front of one node, for three regions on one machine's loopback.
// Processes of region r connect from 127.0.0.r; the proxy fronts a node of region D and gives each connection the
// link between the peer's region (from its source address) and D: data delayed by links.latencyMs(r, D) each way,
// held while links.isCut(r, D). No dependency, so tests, the demo and the bench run it the same way.
//
// A cut is a partition, not a refusal: nothing is reset, the peers notice only by their own timeouts.
// - Existing connections go silent: bytes (and a FIN) are held in order, the readers paused so the kernel buffers
//   fill and senders block as on a dead link. An RST or error seen meanwhile is held too.
// - New connections are accepted (the kernel does that before we see them) and black-holed: the upstream
//   connection is not even attempted, so the node does not see the client.
// - On heal, what was held flows, in order, like TCP retransmissions after a short partition: a connection whose
//   peers kept it open carries on, one a peer gave up on meanwhile is reset (its FIN or RST reaches the other side).
//   A connection accepted during the cut is connected upstream then, as a client's retried SYN would be.
// The upstream connection keeps the peer's source address (127.0.0.r), so the node (CLIENT LIST, Sentinel's view,
// ...) still sees which region a client is in. Connection setup is not delayed: only data, one way at a time.
import net, { type AddressInfo, type Socket } from 'node:net'
import { delayPipe, type DelayPipe } from './delay-pipe.js'
import { createLinks, regionAddress, regionOf, type LatencyMs, type Links } from './links.js'

export interface LinkProxyOptions {
  /** The node this proxy fronts. */
  target: { host: string, port: number }
  /** The node's region. */
  region: number
  /** Where the proxy listens: by default 127.0.0.<region> on a port the system picks. */
  listen?: { host?: string, port?: number }
  /**
   * Treat every connection as coming from this region whatever its source address: a listener per client region,
   * for clients that cannot choose their source address (ioredis' connections to Sentinels, see docs/regions-notes.md).
   */
  from?: number
  /** Latency of a private Links (default 40 ms between different regions, 0 within one); exclusive with `links`. */
  latencyMs?: number | LatencyMs
  /** Shared link state: cut, heal and latency of every proxy built with it at once. */
  links?: Links
}

export interface LinkProxy {
  host: string
  port: number
  /** The link state this proxy follows; cut/heal/setLatency below act on it, so on every proxy sharing it. */
  links: Links
  cut (a: number, b: number): void
  heal (a: number, b: number): void
  setLatency (a: number, b: number, ms: number): void
  /** Connections accepted and not yet closed. */
  connections (): number
  /** Stop listening and destroy every connection; resolves once the listener is closed. */
  close (): Promise<void>
}

interface Connection { update (): void, destroy (): void }

function proxyConnection (client: Socket, options: LinkProxyOptions & { links: Links }, onClosed: () => void): Connection {
  const { links, region, target } = options
  // An address outside 127.0.0.0/24 (::1, a LAN address) is a local client of the node's own region.
  const peer = options.from ?? regionOf(client.remoteAddress) ?? region
  const held = (): boolean => links.isCut(peer, region)
  let upstream: Socket | undefined
  let pipes: DelayPipe[] = []
  let brokenWhileHeld = false

  // An abrupt end on one side is passed on as one (RST), as the other peer would see it on a real link.
  const reset = (): void => {
    for (const socket of [client, upstream]) {
      if (socket === undefined || socket.destroyed) continue
      // Not resetAndDestroy() on a socket whose FIN we passed on (end()): while that shutdown is in progress libuv
      // refuses the reset (EINVAL) and Node then never closes the socket, so the process spins at exit and never
      // ends (Node 20; the harness's "does not exit" of docs/regions-notes.md). That side has ended already: close it.
      if (socket.writableEnded) socket.destroy()
      else socket.resetAndDestroy()
    }
  }
  const broken = (): void => { if (held()) brokenWhileHeld = true; else reset() }
  const connect = (): void => {
    if (client.destroyed) return onClosed()
    const localAddress = peer === regionOf(client.remoteAddress) || options.from !== undefined ? regionAddress(peer) : undefined
    const socket = net.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true, localAddress })
    upstream = socket
    socket.on('error', broken)
    let open = 2
    for (const s of [client, socket]) s.once('close', () => { if (--open === 0) onClosed() })
    pipes = [
      delayPipe(client, socket, { delayMs: () => links.latencyMs(peer, region), held, onBroken: broken }),
      delayPipe(socket, client, { delayMs: () => links.latencyMs(region, peer), held, onBroken: broken })
    ]
  }
  const update = (): void => {
    if (!held()) {
      if (brokenWhileHeld) return reset()
      if (upstream === undefined) connect()
    }
    for (const pipe of pipes) pipe.update()
  }

  client.setNoDelay(true) // a proxy must not add Nagle's delay to the one it injects
  client.pause()
  client.on('error', broken)
  // Closed before it was ever connected upstream (gone during a cut, or the proxy closing).
  client.once('close', () => { if (upstream === undefined) onClosed() })
  update()
  return {
    update,
    destroy () {
      client.destroy()
      upstream?.destroy()
    }
  }
}

/** Start a link proxy in front of `options.target` (see the top of this file); close() it when done. */
export async function startLinkProxy (options: LinkProxyOptions): Promise<LinkProxy> {
  if (options.links !== undefined && options.latencyMs !== undefined) throw new Error('give latencyMs or links, not both')
  const links = options.links ?? createLinks({ latencyMs: options.latencyMs })
  const connections = new Set<Connection>()
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const connection = proxyConnection(client, { ...options, links }, () => connections.delete(connection))
    connections.add(connection)
  })
  const unsubscribe = links.onChange(() => { for (const connection of [...connections]) connection.update() })
  const host = options.listen?.host ?? regionAddress(options.region)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.listen?.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  return {
    host,
    port: (server.address() as AddressInfo).port,
    links,
    cut: (a, b) => links.cut(a, b),
    heal: (a, b) => links.heal(a, b),
    setLatency: (a, b, ms) => links.setLatency(a, b, ms),
    connections: () => connections.size,
    async close () {
      unsubscribe()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const connection of [...connections]) connection.destroy()
      await closed
    }
  }
}
