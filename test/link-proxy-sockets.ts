// Real sockets for the link-proxy tests: an echo node that counts its connections, and clients that connect from a
// region's loopback address and collect what they receive. Everything is closed at teardown.
import net, { type AddressInfo, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { startLinkProxy, type LinkProxy, type LinkProxyOptions } from '../scripts/regions/link-proxy.js'
import { regionAddress } from '../scripts/regions/links.js'
import type { Test } from './helper.js'
import { sleep } from './topologies.js'

export interface EchoNode {
  port: number
  /** Connections accepted so far, and their source addresses. */
  accepted: string[]
  /** Bytes received per connection, in order of acceptance. */
  received: Buffer[][]
  /** Connections of the node that have closed. */
  closed (): number
}

/** A node in region 1 (127.0.0.1) that echoes every byte back on the same connection. */
export async function startEchoNode (t: Test): Promise<EchoNode> {
  const node: Omit<EchoNode, 'port'> & { closedCount: number } = { accepted: [], received: [], closedCount: 0, closed: () => node.closedCount }
  const sockets = new Set<Socket>()
  const server = net.createServer((socket) => {
    const received: Buffer[] = []
    node.accepted.push(socket.remoteAddress ?? '')
    node.received.push(received)
    sockets.add(socket)
    socket.on('data', (chunk: Buffer) => { received.push(chunk); socket.write(chunk) })
    socket.on('error', () => undefined) // a reset from the proxy is part of what is tested
    socket.once('close', () => { node.closedCount++; sockets.delete(socket) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise((resolve) => server.close(resolve))
  })
  return Object.assign(node, { port: (server.address() as AddressInfo).port })
}

/** A proxy closed at teardown. */
export async function proxyFor (t: Test, options: LinkProxyOptions): Promise<LinkProxy> {
  const proxy = await startLinkProxy(options)
  t.teardown(() => proxy.close())
  return proxy
}

export interface Client {
  socket: Socket
  /** Everything received so far. */
  data (): Buffer
  /** Whether the connection has ended or closed. */
  ended (): boolean
  /** Resolves with the time (performance.now()) at which `bytes` bytes in all have been received. */
  receivedBytes (bytes: number, timeoutMs?: number): Promise<number>
}

/** A connection to `proxy` from region `from`'s address (127.0.0.from), destroyed at teardown. */
export async function connectFrom (t: Test, proxy: LinkProxy, from: number): Promise<Client> {
  const socket = net.connect({ host: proxy.host, port: proxy.port, localAddress: regionAddress(from), noDelay: true })
  t.teardown(() => { socket.destroy() })
  const chunks: Buffer[] = []
  let [length, ended] = [0, false]
  const waiters = new Set<() => void>()
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    length += chunk.length
    for (const waiter of [...waiters]) waiter()
  })
  socket.on('error', () => undefined)
  socket.once('end', () => { ended = true })
  socket.once('close', () => { ended = true })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  return {
    socket,
    data: () => Buffer.concat(chunks),
    ended: () => ended,
    receivedBytes: (bytes, timeoutMs = 60_000) => new Promise((resolve, reject) => {
      // Timed in the data handler itself, so the time is that of the arrival, not of a later poll.
      const check = (): void => {
        if (length < bytes) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(performance.now())
      }
      const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${bytes} bytes`)) }, timeoutMs)
      waiters.add(check)
      check()
    })
  }
}

/** Milliseconds from writing `message` to having its echo back. */
export async function echoRoundTripMs (client: Client, message = 'ping'): Promise<number> {
  const expected = client.data().length + message.length
  const sentAtMs = performance.now()
  client.socket.write(message)
  return (await client.receivedBytes(expected)) - sentAtMs
}

/** Nothing more has arrived on `client` during `ms`, and the connection is still open. */
export async function staysSilent (client: Client, ms: number): Promise<boolean> {
  const before = client.data().length
  await sleep(ms)
  return client.data().length === before && !client.ended()
}
