// The revocation feed's limits: credentials, the subscriber cap, slow consumers, heartbeats, the bounded resume buffer,
// and an instance that is not caught up refusing new subscribers.
import t from 'tap'
import { createKeyNames } from '../src/key-names.js'
import { publishRevocation } from '../src/revocation/revocation-feed.js'
import { buildTestApp, json, rawRedis } from './helper.js'
import { FEED_AUTH, FEED_CREDENTIAL, eventually, feedApps } from './feed-helper.js'
import { appWithLogCapture } from './log-capture.js'
import { scrape, valueOf } from './metrics-scrape.js'
import { connectSse, dataOf } from './sse-client.js'

const REALM = 'Bearer realm="rotor-revocations"'

/** Append events to the deployment's log as any instance would (the CLI path): real Redis, real pub/sub. */
async function publish (t: Parameters<typeof rawRedis>[0], prefix: string, count: number, userIdLength = 22, from = 0): Promise<void> {
  const redis = await rawRedis(t)
  const keys = createKeyNames(prefix)
  const log = { logKey: keys.revocationLog(), channel: keys.revocationChannel(), retentionMs: 920_000 }
  const jobs: Array<Promise<void>> = []
  for (let i = from; i < from + count; i++) {
    const userId = `u${i}`.padEnd(userIdLength, 'x')
    jobs.push(publishRevocation(redis as never, log, { kind: 'user', userId, minVersion: 2, atMs: Date.now(), reason: 'logout_all' }))
  }
  await Promise.all(jobs)
}

t.test('refuses a missing or wrong credential with 401 and the feed realm; accepts every configured one', async (t) => {
  const [feed] = await feedApps(t, 1)
  const { app } = feed!
  for (const url of ['/revocations/stream', '/revocations']) {
    const missing = await app.inject({ url })
    t.equal(missing.statusCode, 401, `${url} without a credential`)
    t.equal(missing.headers['www-authenticate'], REALM)
    t.match(json(missing), { error: 'invalid_token' })
    for (const wrong of [`Bearer ${FEED_CREDENTIAL}x`, `Bearer ${FEED_CREDENTIAL.slice(1)}`, `Basic ${FEED_CREDENTIAL}`, 'Bearer ']) {
      const res = await app.inject({ url, headers: { authorization: wrong } })
      t.equal(res.statusCode, 401, `${url} with a wrong credential`)
      t.equal(res.headers['www-authenticate'], `${REALM}, error="invalid_token"`)
      t.notOk(res.body.includes(FEED_CREDENTIAL), 'the credential is never echoed')
    }
  }
  for (const credential of ['other-credential-being-rotated-out-0123', FEED_CREDENTIAL]) {
    t.equal((await app.inject({ url: '/revocations', headers: { authorization: `Bearer ${credential}` } })).statusCode, 200, 'each credential of the list')
  }
})

t.test('never logs a feed credential, right or wrong', async (t) => {
  const { app, lines } = await appWithLogCapture(t, { level: 'trace', env: { REVOCATION_FEED_CREDENTIALS: FEED_CREDENTIAL } })
  for (const authorization of [`Bearer ${FEED_CREDENTIAL}`, `Bearer ${FEED_CREDENTIAL}-wrong`]) {
    await app.inject({ url: '/revocations', headers: { authorization } })
    await app.inject({ url: `/revocations?after=${FEED_CREDENTIAL}`, headers: { authorization } })
  }
  t.ok(lines.length > 0, 'requests were logged')
  t.notOk(lines.some((l) => l.includes(FEED_CREDENTIAL)), 'no line holds it')
})

t.test('caps subscribers per instance with 503 and Retry-After', async (t) => {
  const [feed] = await feedApps(t, 1, { REVOCATION_FEED_MAX_SUBSCRIBERS: '2' })
  const open = [await connectSse(`${feed!.url}/revocations/stream`, FEED_AUTH), await connectSse(`${feed!.url}/revocations/stream`, FEED_AUTH)]
  t.same(open.map((s) => s.status), [200, 200])
  const refused = await connectSse(`${feed!.url}/revocations/stream`, FEED_AUTH)
  t.equal(refused.status, 503, 'over the cap')
  t.ok(Number(refused.headers['retry-after']) >= 1, 'with Retry-After')
  t.match(JSON.parse(await refused.waitClosed().then(() => refused.body())), { error: 'temporarily_unavailable' })
  open[0]!.close()
  await eventually(() => feed!.app.revocationStream!.server.subscribers() === 1, 'the closed one is counted off')
  const again = await connectSse(`${feed!.url}/revocations/stream`, FEED_AUTH)
  t.equal(again.status, 200, 'a place freed is taken again')
  again.close(); open[1]!.close()
})

t.test('disconnects a consumer that stops reading once its buffer bound is hit; memory stays bounded', async (t) => {
  const [feed] = await feedApps(t, 1, { REVOCATION_FEED_SUBSCRIBER_BUFFER_BYTES: '1048576', REVOCATION_FEED_BUFFER_EVENTS: '100' })
  const { app } = feed!
  const reader = await connectSse(`${feed!.url}/revocations/stream`, FEED_AUTH)
  const stalled = await connectSse(`${feed!.url}/revocations/stream`, FEED_AUTH)
  t.teardown(() => { reader.close(); stalled.close() })
  await stalled.waitFor((m) => m.event === 'snapshot-end')
  stalled.pause()
  // About 16 MB of events, in bursts a reader keeps up with: more than the kernel's socket buffers hold, so the
  // stalled subscriber's buffer here must fill.
  for (let batch = 0; batch < 40 && app.revocationStream!.server.subscribers() === 2; batch++) {
    await publish(t, app.config.redis.keyPrefix, 100, 4000, batch * 100)
    const last = `u${batch * 100 + 99}`
    await reader.waitFor((m) => m.event === 'revocation' && (dataOf(m).userId as string).startsWith(last))
  }
  await eventually(() => app.revocationStream!.server.subscribers() === 1, 'the stalled subscriber is dropped, the reader kept')
  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_revocation_stream_slow_consumer_disconnects_total'), 1)
  t.equal(valueOf(samples, 'rotor_revocation_stream_subscribers'), 1)
  t.equal(valueOf(samples, 'rotor_revocation_feed_snapshots_total', { transport: 'stream' }), 2, 'one per subscriber that connected without an id')
  t.ok(valueOf(samples, 'rotor_revocation_stream_events_sent_total')! >= 100, 'events sent counted')
  t.ok(app.revocations.log!.size() <= 100, 'the resume buffer holds at most REVOCATION_FEED_BUFFER_EVENTS')
  t.notOk(reader.closed, 'the reading subscriber is kept')
})

t.test('sends heartbeats as SSE comments', async (t) => {
  const [feed] = await feedApps(t, 1, { REVOCATION_FEED_HEARTBEAT_SECONDS: '1' })
  const stream = await connectSse(`${feed!.url}/revocations/stream`, FEED_AUTH)
  t.teardown(stream.close)
  const line = await stream.waitForLine((l) => l.startsWith(': hb '))
  t.match(line, /^: hb [0-9]+$/)
})

t.test('a position older than the resume buffer gets a snapshot; one inside it resumes', async (t) => {
  const [feed] = await feedApps(t, 1, { REVOCATION_FEED_BUFFER_EVENTS: '2' })
  const { app, url } = feed!
  const stream = await connectSse(`${url}/revocations/stream`, FEED_AUTH)
  t.teardown(stream.close)
  await publish(t, app.config.redis.keyPrefix, 4)
  await stream.waitFor((m) => m.event === 'revocation' && dataOf(m).userId === 'u3'.padEnd(22, 'x'))
  const ids = stream.messages.filter((m) => m.event === 'revocation').map((m) => m.id!)
  t.equal(ids.length, 4)
  const old = await connectSse(`${url}/revocations/stream`, { ...FEED_AUTH, 'last-event-id': ids[0]! })
  t.teardown(old.close)
  const end = await old.waitFor((m) => m.event === 'snapshot-end')
  t.equal(dataOf(end).count, 4, 'evicted from the buffer: complete state instead')
  const recent = await connectSse(`${url}/revocations/stream`, { ...FEED_AUTH, 'last-event-id': ids[2]! })
  t.teardown(recent.close)
  const next = await recent.waitFor((m) => m.event === 'revocation')
  t.equal(next.id, ids[3], 'inside the buffer: the events after it')
  t.notOk(recent.messages.some((m) => m.event.startsWith('snapshot')))
})

t.test('an instance that has not replayed the log refuses new subscribers with 503', async (t) => {
  const app = await buildTestApp(t, {
    redisUrl: 'redis://127.0.0.1:1',
    env: { REDIS_CONNECT_TIMEOUT_MS: '100', REVOCATION_FEED_CREDENTIALS: FEED_CREDENTIAL }
  })
  for (const url of ['/revocations/stream', '/revocations']) {
    const res = await app.inject({ url, headers: FEED_AUTH })
    t.equal(res.statusCode, 503, url)
    t.ok(res.headers['retry-after'])
  }
})

t.test('REVOCATION_FEED_OPEN=true serves without a credential', async (t) => {
  const [feed] = await feedApps(t, 1, { REVOCATION_FEED_CREDENTIALS: '', REVOCATION_FEED_OPEN: 'true' })
  const stream = await connectSse(`${feed!.url}/revocations/stream`)
  t.teardown(stream.close)
  t.equal(stream.status, 200)
  await stream.waitFor((m) => m.event === 'snapshot-end')
  t.equal((await feed!.app.inject({ url: '/revocations' })).statusCode, 200)
})
