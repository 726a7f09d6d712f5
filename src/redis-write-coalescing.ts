// Under load, many requests reach their Redis script in the same turn of the event loop (the poll phase hands over
// every socket that became readable at once). Each command would be its own write(2) to Redis and its own read(2)
// there. Corking the connection until the loop's check phase (setImmediate) sends them as one writev(2), which Redis
// reads in one go and answers in one write: fewer syscalls on both sides, the main cost of a refresh after the HTTP
// work (docs/benchmarks.md, "What dominates Rotor's refresh").
// Unlike ioredis's enableAutoPipelining (tried and reverted: it waits without bound for a Cluster slot map and hung
// commands during failovers), nothing about a command changes: the same timeout, the same fail-fast refusal with the
// offline queue off, the same error handling. Only the moment its bytes leave is held to the end of the loop turn,
// microseconds, and always released: setImmediate runs whatever the commands' fate.
import type { Socket } from 'node:net'
import type { Cluster, Redis } from 'ioredis'

type RedisClient = Redis | Cluster

const corked = new WeakSet<Socket>()

function cork (stream: Socket | undefined): void {
  if (stream === undefined || corked.has(stream) || stream.destroyed || !stream.writable) return
  stream.cork()
  corked.add(stream)
  setImmediate(() => {
    corked.delete(stream)
    stream.uncork()
  })
}

/**
 * Hold this turn's writes to the connection a command of `redis` is about to use, and send them together at the end
 * of the turn. On a Cluster the connection depends on the key's slot, so every master connection is held (a held
 * connection that gets no write costs nothing).
 */
export function coalesceWrites (redis: RedisClient): void {
  if (redis.isCluster) {
    for (const node of (redis as Cluster).nodes('master')) cork(node.stream as Socket | undefined)
  } else {
    cork((redis as Redis).stream as Socket | undefined)
  }
}
