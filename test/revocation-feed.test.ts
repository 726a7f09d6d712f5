// The feed catches up: after its subscriber connection drops, after a lost message, and at boot.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { createKeyNames } from '../src/key-names.js'
import { createRevocationFeed } from '../src/revocation/revocation-feed.js'
import { createRevocationList } from '../src/revocation/revocation-list.js'
import { bearer, buildTestApp, rawRedis, redisUrl, registerAndLogin, uniquePrefix, type Test } from './helper.js'

async function waitFor (check: () => boolean | Promise<boolean>, withinMs: number): Promise<boolean> {
  const start = Date.now()
  while (Date.now() - start <= withinMs) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}

async function feedOn (t: Test, prefix: string) {
  const url = await redisUrl()
  const redis = new Redis(url)
  const subscriber = new Redis(url, { autoResubscribe: false, lazyConnect: true })
  t.teardown(() => { subscriber.disconnect(); redis.disconnect() })
  const keys = createKeyNames(prefix)
  const list = createRevocationList({ retentionMs: 60_000, nowMs: Date.now })
  const feed = createRevocationFeed({
    redis, subscriber, list, logKey: keys.revocationLog(), channel: keys.revocationChannel(),
    retentionMs: 60_000, resyncIntervalMs: 60_000, onError: () => undefined
  })
  t.teardown(() => feed.stop())
  await subscriber.connect()
  await feed.start()
  return { feed, list, subscriber }
}

const claims = (userId: string) => ({ userId, sessionId: 'some-family', sessionVersion: 0 })

t.test('replays what it missed while its subscriber was disconnected', async (t) => {
  const prefix = uniquePrefix()
  const publisher = await feedOn(t, prefix)
  const follower = await feedOn(t, prefix)
  t.equal(follower.feed.status().state, 'live')
  follower.subscriber.disconnect() // no reconnect: the follower hears nothing now
  await waitFor(() => follower.feed.status().state === 'degraded', 20_000)
  t.equal(follower.feed.status().state, 'degraded', 'says so while it cannot hear')
  await publisher.feed.publish({ kind: 'user', userId: 'u1', minVersion: 1, atMs: Date.now(), reason: 'logout_all' })
  t.notOk(follower.list.isRevoked(claims('u1')), 'missed while disconnected')
  await follower.subscriber.connect()
  t.ok(await waitFor(() => follower.list.isRevoked(claims('u1')), 20_000), 'replayed after reconnecting')
  t.equal(follower.feed.status().replayed, 1)
  t.equal(follower.feed.status().state, 'live')
})

t.test('catches up after its connection is killed on the server, while another instance revokes', async (t) => {
  // The resync is a minute away: within the generous bounds below only the reconnect's replay can reject the token.
  const env = { REDIS_KEY_PREFIX: uniquePrefix(), REVOCATION_RESYNC_INTERVAL_MS: '60000' }
  const a = await buildTestApp(t, { env })
  const b = await buildTestApp(t, { env })
  const redis = await rawRedis(t)
  const user = await registerAndLogin(a)
  const clients = (await redis.client('LIST') as string).split('\n').filter((l) => l.includes('name=rotor-revocation-feed'))
  t.ok(clients.length >= 2, 'both instances hold a named feed connection')
  for (const line of clients) await redis.client('KILL', 'ID', /id=(\d+)/.exec(line)![1]!)
  t.equal((await a.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 204)
  const rejected = await waitFor(async () => (await b.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode === 401, 20_000)
  t.ok(rejected, 'instance b rejects the token once it has reconnected and replayed')
  t.ok(await waitFor(() => b.revocations.feed.status().state === 'live', 20_000), 'and reports itself live again')
})

t.test('picks up a revocation whose broadcast was lost, at the next resync', async (t) => {
  const prefix = uniquePrefix()
  const app: FastifyInstance = await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix, REVOCATION_RESYNC_INTERVAL_MS: '250' } })
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  // Append to the log without publishing: as if pub/sub had dropped the message.
  const event = { kind: 'family', userId: user.userId, familyId: user.sessionId, atMs: Date.now(), reason: 'logout' }
  await redis.xadd(createKeyNames(prefix).revocationLog(), '*', 'e', JSON.stringify(event))
  t.ok(await waitFor(async () => (await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode === 401, 20_000))
})

t.test('keeps entries only as long as a token issued before them can live', async (t) => {
  let now = 1_000_000
  const list = createRevocationList({ retentionMs: 10_000, nowMs: () => now })
  list.apply({ kind: 'user', userId: 'u', minVersion: 3, atMs: now, reason: 'logout_all' })
  list.apply({ kind: 'user', userId: 'u', minVersion: 2, atMs: now, reason: 'logout_all' }) // older news: ignored
  list.apply({ kind: 'family', userId: 'u', familyId: 'f', atMs: now, reason: 'logout' })
  t.ok(list.isRevoked({ userId: 'u', sessionId: 'x', sessionVersion: 2 }), 'versions below the highest are dead')
  t.notOk(list.isRevoked({ userId: 'u', sessionId: 'x', sessionVersion: 3 }), 'the current version lives')
  t.ok(list.isRevoked({ userId: 'other', sessionId: 'f', sessionVersion: 9 }), 'the family is dead whatever the version')
  now += 10_001
  t.notOk(list.isRevoked({ userId: 'u', sessionId: 'f', sessionVersion: 0 }), 'expired entries no longer count')
  list.prune()
  t.same(list.size(), { users: 0, families: 0 }, 'and are dropped from memory')
})

t.test('keeps an entry its full lifetime even when the revoking instance\'s clock runs behind', async (t) => {
  let now = 1_000_000
  const list = createRevocationList({ retentionMs: 10_000, nowMs: () => now })
  list.apply({ kind: 'family', userId: 'u', familyId: 'f', atMs: now - 12_000, reason: 'logout' }) // stamped 12 s behind
  now += 9_000
  t.ok(list.isRevoked({ userId: 'u', sessionId: 'f', sessionVersion: 0 }), 'counted from its arrival here, not from a late stamp')
})
