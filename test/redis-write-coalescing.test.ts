// Commands issued in one turn of the event loop leave as one write and are read by Redis in one go
// (src/redis-write-coalescing.ts); nothing else about them changes. A server of its own per test: Redis's read
// counter is server-wide.
import t from 'tap'
import { Redis } from 'ioredis'
import { startRedisServer } from '../src/redis-server.js'
import { coalesceWrites } from '../src/redis-write-coalescing.js'
import { defineScripts, runScript } from '../src/sessions/scripts.js'
import type { Test } from './helper.js'

async function ownServer (test: Test): Promise<Redis> {
  const server = await startRedisServer()
  const redis = new Redis(server.url, { enableOfflineQueue: false, lazyConnect: true })
  await redis.connect()
  test.teardown(async () => { redis.disconnect(); await server.stop() })
  return redis
}

const readsProcessed = async (redis: Redis): Promise<number> =>
  Number(/total_reads_processed:(\d+)/.exec(await redis.info('stats'))?.[1])

const keys = Array.from({ length: 64 }, (_, i) => `coalesce-test:${i}`)

t.test('64 commands issued in one turn reach Redis in one read, and each gets its own answer', async (t) => {
  const redis = await ownServer(t)
  await redis.mset(...keys.flatMap((key, i) => [key, `value-${i}`]))
  const before = await readsProcessed(redis)
  coalesceWrites(redis)
  const answers = await Promise.all(keys.map((key) => redis.get(key)))
  const reads = await readsProcessed(redis) - before
  t.same(answers, keys.map((_, i) => `value-${i}`), 'every command answered, in order')
  // The INFO that counts is a read of its own: 64 commands plus that one took at most two reads.
  t.ok(reads <= 2, `Redis read the 64 commands at once (${reads} reads including the INFO)`)
})

t.test('a script call holds its turn\'s writes too, and the connection is released at the end of the turn', async (t) => {
  const redis = await ownServer(t)
  defineScripts(redis)
  const before = await readsProcessed(redis)
  const calls = Array.from({ length: 32 }, (_, i) => runScript(redis, 'forget-family', [`coalesce-test:{u${i}}:sessions`], ['family', 'secret-hash-0001']))
  t.ok(redis.stream.writableCorked > 0, 'held while the turn lasts')
  const replies = await Promise.all(calls)
  t.equal(replies.length, 32, 'every script answered')
  t.ok(await readsProcessed(redis) - before <= 3, 'in one read (a NOSCRIPT fallback may add one)')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(redis.stream.writableCorked, 0, 'released')
  t.equal(await redis.ping(), 'PONG', 'a later command is sent as usual')
})

t.test('a command on a closed connection still fails at once, held or not', async (t) => {
  const redis = await ownServer(t)
  redis.disconnect()
  coalesceWrites(redis)
  await t.rejects(redis.get(keys[0]!), /Connection is closed|enableOfflineQueue/, 'refused, not queued behind the hold')
})
