// An instance whose own feed is down does not pretend: connected subscribers are told it is degraded (and live again),
// new ones are refused with 503 meanwhile, and what was revoked during the outage reaches the stream afterwards.
import t from 'tap'
import { createKeyNames } from '../src/key-names.js'
import { publishRevocation } from '../src/revocation/revocation-feed.js'
import { rawRedis } from './helper.js'
import { FEED_AUTH, eventually, feedApps } from './feed-helper.js'
import { connectSse, dataOf } from './sse-client.js'

t.test('tells connected subscribers degraded then live, refuses new ones meanwhile, and loses nothing', async (t) => {
  const [feed] = await feedApps(t, 1, { REVOCATION_RESYNC_INTERVAL_MS: '60000' })
  const { app, url } = feed!
  const redis = await rawRedis(t)
  const stream = await connectSse(`${url}/revocations/stream`, FEED_AUTH)
  t.teardown(stream.close)
  await stream.waitFor((m) => m.event === 'snapshot-end')

  // Keep killing the instance's subscriber connection (CLIENT KILL, as a network fault would): it stays degraded.
  let killing = true
  const killer = (async () => {
    while (killing) {
      await redis.client('KILL', 'TYPE', 'pubsub').catch(() => 0)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  const degraded = await stream.waitFor((m) => m.event === 'status')
  t.same(dataOf(degraded), { state: 'degraded' })
  await eventually(async () => (await app.inject({ url: '/revocations', headers: FEED_AUTH })).statusCode === 503, 'new subscribers refused')

  const keys = createKeyNames(app.config.redis.keyPrefix)
  const log = { logKey: keys.revocationLog(), channel: keys.revocationChannel(), retentionMs: 920_000 }
  await publishRevocation(redis as never, log, { kind: 'user', userId: 'during-the-outage', minVersion: 5, atMs: Date.now(), reason: 'logout_all' })
  killing = false
  await killer

  const from = stream.messages.indexOf(degraded) + 1
  t.same(dataOf(await stream.waitFor((m) => m.event === 'status', from)), { state: 'live' }, 'live again')
  const missed = await stream.waitFor((m) => m.event === 'revocation' && dataOf(m).userId === 'during-the-outage')
  t.match(dataOf(missed), { kind: 'user', minVersion: 5 }, 'the revocation made during the outage arrives')
  t.equal((await app.inject({ url: '/revocations', headers: FEED_AUTH })).statusCode, 200, 'new subscribers taken again')
})
