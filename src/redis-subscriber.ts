// The revocation feed's pub/sub connection in Redis Cluster mode. PUBLISH is broadcast to every node of a Cluster,
// so one connection to any node hears every revocation. When that node goes away (failover, restart) the next seed
// node is tried; 'ready' is emitted on every (re)connect like a plain connection's, which is when the feed
// resubscribes and replays the log, and 'close' when it drops, which marks the feed degraded.
import { EventEmitter } from 'node:events'
import { Redis, type RedisOptions } from 'ioredis'
import type { HostPort } from './config-values.js'

/** What Rotor needs of a subscriber connection: a plain ioredis connection is one. */
export interface RedisSubscriber {
  readonly status: string
  subscribe (channel: string): Promise<unknown>
  on (event: string, listener: (...args: string[]) => void): unknown
  once (event: string, listener: (err: Error) => void): unknown
  removeListener (event: string, listener: (err: Error) => void): unknown
  connect (): Promise<void>
  quit (): Promise<unknown>
  disconnect (): void
}

export class ClusterSubscriber extends EventEmitter implements RedisSubscriber {
  status = 'wait'
  private connection: Redis | undefined
  private next = 0
  private attempt = 0
  private ended = false
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly nodes: HostPort[], private readonly options: RedisOptions) {
    super()
  }

  connect (): Promise<void> {
    this.ended = false
    const node = this.nodes[this.next++ % this.nodes.length]
    const connection = new Redis({ ...this.options, host: node?.host, port: node?.port, lazyConnect: true, retryStrategy: () => null })
    this.connection = connection
    this.status = 'connecting'
    connection.on('error', (err: Error) => { if (this.listenerCount('error') > 0) this.emit('error', err) })
    connection.on('message', (channel: string, message: string) => this.emit('message', channel, message))
    connection.on('ready', () => {
      this.attempt = 0
      this.status = 'ready'
      this.emit('ready')
    })
    connection.once('end', () => {
      if (this.connection !== connection) return
      this.status = this.ended ? 'end' : 'reconnecting'
      this.emit('close')
      if (this.ended) return
      // The first retry goes to the next seed at once; a whole round of failures backs off like any connection.
      const delayMs = this.attempt++ < this.nodes.length ? 0 : Math.min(this.attempt * 100, 2000)
      this.timer = setTimeout(() => { this.connect().catch(() => undefined) }, delayMs)
    })
    return connection.connect()
  }

  subscribe (channel: string): Promise<unknown> {
    if (this.connection === undefined) return Promise.reject(new Error('Connection is closed.'))
    return this.connection.subscribe(channel)
  }

  async quit (): Promise<unknown> {
    this.stop()
    return this.connection?.quit()
  }

  disconnect (): void {
    this.stop()
    this.connection?.disconnect()
  }

  /** The connection's socket, for a close that cannot wait for the node (src/redis-client.ts). */
  sockets (): Array<{ destroy: () => void }> {
    return this.connection?.stream === undefined ? [] : [this.connection.stream]
  }

  private stop (): void {
    this.ended = true
    clearTimeout(this.timer)
  }
}
