// The revocation feed client against a CONTRACT FIXTURE (contract-feed-server.ts: a node:http server that follows the
// feed's wire contract exactly), until the end-to-end test against two real Rotor instances lands: snapshot, live
// events, Last-Event-ID resume after a cut, heartbeat timeout, a forgotten id, server status, 401 and 503.
import t from 'tap'
import { createVerifier, type MetricEvent, type Verifier, type VerifierOptions } from '../src/index.js'
import { startContractFeed } from './contract-feed-server.js'
import { AUDIENCE, eventually, ISSUER, LEEWAY, rotorKeys, signer, TTL } from './helpers.js'

const CREDENTIAL = 'feed-credential-0123456789abcdef0123456789'
const keySet = await rotorKeys()
const sign = signer(keySet)
const feed = await startContractFeed({ credential: CREDENTIAL, jwks: () => keySet.jwks, heartbeatMs: 100, retryMs: 20 })
t.teardown(() => feed.close())

const metrics: MetricEvent[] = []
function verifier (t: { teardown: (fn: () => unknown) => void }, change: Partial<VerifierOptions> = {}): Verifier {
  const v = createVerifier({
    issuer: ISSUER, audience: AUDIENCE, jwksUri: feed.jwksUrl, maxTokenLifetimeSeconds: TTL, clockToleranceSeconds: LEEWAY,
    // 100 ms heartbeats: the client declares a connection dead after 250 ms of silence.
    feed: { url: feed.streamUrl, credential: CREDENTIAL, heartbeatSeconds: 0.1 }, maxFeedBackoffSeconds: 0.2,
    onMetric: (m) => metrics.push(m), ...change
  })
  t.teardown(() => v.close())
  return v
}
const reason = (v: Verifier, token: string) => { const r = v.verify(token); return r.ok ? 'ok' : r.reason }
const at = Date.now()

t.test('a revocation made before the subscriber connected arrives in the snapshot', async (t) => {
  feed.push({ kind: 'session', userId: 'u-old', sessionId: 's-old', atMs: at, reason: 'logout' })
  const last = feed.push({ kind: 'user', userId: 'u-all', minVersion: 3, atMs: at, reason: 'logout_all' })
  const v = verifier(t)
  await v.ready()
  t.equal(feed.requests.at(-1)?.lastEventId, undefined, 'first connection: no Last-Event-ID')
  t.equal(feed.requests.at(-1)?.authorization, `Bearer ${CREDENTIAL}`, 'the credential as a Bearer token')
  t.equal(reason(v, await sign({ userId: 'u-old', sessionId: 's-old' })), 'revoked', 'dead session')
  t.equal(reason(v, await sign({ userId: 'u-all', sessionId: 'x', sessionVersion: 2 })), 'revoked', 'below the version floor')
  t.equal(reason(v, await sign({ userId: 'u-all', sessionId: 'y', sessionVersion: 3 })), 'ok', 'a session at the floor lives')
  t.match(v.status(), { state: 'live', lastEventId: last, feedDown: false })
})

t.test('live events revoke at once; a cut connection resumes with Last-Event-ID and misses nothing', async (t) => {
  const v = verifier(t)
  await v.ready()
  const live = await sign({ userId: 'u-live', sessionId: 's-live' })
  t.equal(reason(v, live), 'ok', 'verified (and cached) before the revocation')
  const id = feed.push({ kind: 'session', userId: 'u-live', sessionId: 's-live', atMs: Date.now(), reason: 'logout' })
  await eventually('live event applied', () => reason(v, live) === 'revoked')
  t.equal(v.status().lastEventId, id)
  const before = feed.requests.length
  feed.cut()
  const missed = await sign({ userId: 'u-cut', sessionId: 's-cut' })
  t.equal(reason(v, missed), 'ok')
  feed.push({ kind: 'session', userId: 'u-cut', sessionId: 's-cut', atMs: Date.now(), reason: 'admin_disable' })
  await eventually('missed event applied after the reconnect', () => reason(v, missed) === 'revoked')
  t.equal(feed.requests.slice(before).find((r) => r.lastEventId !== undefined)?.lastEventId, id, 'resumed right after the last event seen')
})

t.test('silence past 2.5 heartbeats is a dead connection: reconnect and resume', async (t) => {
  const v = verifier(t)
  await v.ready()
  const token = await sign({ userId: 'u-quiet', sessionId: 's-quiet' })
  const before = feed.requests.length
  feed.silence(true)
  feed.push({ kind: 'session', userId: 'u-quiet', sessionId: 's-quiet', atMs: Date.now(), reason: 'logout' })
  await eventually('reconnected after the heartbeat timeout', () => feed.requests.length > before)
  feed.silence(false)
  await eventually('the event written into the silent stream arrives by resume', () => reason(v, token) === 'revoked')
  t.equal(reason(v, token), 'revoked')
  t.ok(feed.requests.slice(before).every((r) => r.lastEventId !== undefined), 'every reconnect resumed from an id')
  t.ok(metrics.some((m) => m.name === 'feed_reconnect' && m.cause === 'heartbeat timeout'), 'reported as a heartbeat timeout')
})

t.test('an id the server no longer retains gets a snapshot, merged into what is known', async (t) => {
  const v = verifier(t)
  await v.ready()
  const token = await sign({ userId: 'u-trunc', sessionId: 's-trunc' })
  const snapshots = metrics.filter((m) => m.name === 'feed_snapshot').length
  feed.push({ kind: 'session', userId: 'u-trunc', sessionId: 's-trunc', atMs: Date.now(), reason: 'logout' })
  await eventually('applied live', () => reason(v, token) === 'revoked')
  feed.truncate()
  feed.cut()
  await eventually('snapshot served on resume', () => metrics.filter((m) => m.name === 'feed_snapshot').length > snapshots)
  t.equal(reason(v, token), 'revoked', 'still revoked')
  t.equal(v.status().state, 'live')
})

t.test('the server saying degraded: reject past the bound, or accept and flag', async (t) => {
  const strict = verifier(t, { feedDownAfterSeconds: 0 })
  const lenient = verifier(t, { feedDownAfterSeconds: 0, onFeedDown: 'accept-and-flag' })
  await Promise.all([strict.ready(), lenient.ready()])
  const token = await sign({ userId: 'u-deg', sessionId: 's-deg' })
  feed.status('degraded')
  await eventually('both degraded', () => strict.status().state === 'degraded' && lenient.status().state === 'degraded')
  await eventually('past the bound', () => strict.status().feedDown)
  t.same(strict.verify(token), { ok: false, reason: 'feed_down' })
  t.match(lenient.verify(token), { ok: true, degraded: true })
  feed.status('live')
  await eventually('live again', () => strict.status().state === 'live')
  t.match(strict.verify(token), { ok: true, degraded: false })
})

t.test('a wrong credential: 401, never live, tokens refused with feed_down until it is', async (t) => {
  const v = verifier(t, { feed: { url: feed.streamUrl, credential: 'wrong-credential-0123456789abcdef0123', heartbeatSeconds: 0.1 } })
  await eventually('401 seen', () => /401/.test(v.status().error ?? ''))
  t.equal(v.status().state, 'starting')
  await eventually('keys loaded', () => v.status().keys === 1)
  t.same(v.verify(await sign()), { ok: false, reason: 'feed_down' }, 'no complete state yet: nothing to vouch with')
})

t.test('a 503 from a feed not caught up is retried until it serves', async (t) => {
  feed.refuse(true)
  const before = feed.requests.length
  const v = verifier(t)
  await eventually('refused twice', () => feed.requests.length >= before + 2)
  t.equal(v.status().state, 'starting')
  feed.refuse(false)
  await v.ready()
  t.equal(v.status().state, 'live')
})
