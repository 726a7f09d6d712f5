// The revocation feed for other services (SSE): a revocation made on one instance reaches a subscriber of another,
// a cut subscriber resumes with exactly what it missed, and one without a usable position gets a complete snapshot.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, json, login, manualClock, refresh, registerAndLogin } from './helper.js'
import { eventually, FEED_AUTH, feedApps } from './feed-helper.js'
import { connectSse, dataOf, type SseMessage } from './sse-client.js'

const isRevocation = (m: SseMessage) => m.event === 'revocation'
const post = (app: FastifyInstance, url: string, token: string) => app.inject({ method: 'POST', url, headers: bearer(token) })

t.test('a revocation made on instance A reaches a stream connected to instance B', async (t) => {
  const [a, b] = await feedApps(t, 2)
  const stream = await connectSse(`${b!.url}/revocations/stream`, FEED_AUTH)
  t.teardown(stream.close)
  t.equal(stream.status, 200)
  t.match(stream.headers['content-type'], /^text\/event-stream/)
  t.equal(stream.headers['cache-control'], 'no-store')
  await stream.waitFor((m) => m.event === 'snapshot-end')
  t.equal(stream.lines[0], 'retry: 1000', 'the first line sets the reconnection delay')
  const next = async (what: string, match: (e: Record<string, unknown>) => boolean) => {
    const m = await stream.waitFor((m) => isRevocation(m) && match(dataOf(m)))
    t.match(m.id, /^[0-9]+-[0-9]+$/, `${what}: the id is the log position`)
    return dataOf(m)
  }

  const loggedOut = await registerAndLogin(a!.app)
  await post(a!.app, '/auth/logout', loggedOut.accessToken)
  const event = await next('logout', (e) => e.sessionId === loggedOut.sessionId)
  t.same(Object.keys(event).sort(), ['atMs', 'kind', 'reason', 'sessionId', 'userId'], 'ids and time only: no email, no token')
  t.match(event, { kind: 'session', userId: loggedOut.userId, reason: 'logout' })

  const all = await registerAndLogin(a!.app)
  await post(a!.app, '/auth/logout-all', all.accessToken)
  t.match(await next('logout-all', (e) => e.userId === all.userId), { kind: 'user', minVersion: Number, reason: 'logout_all' })

  const owner = await registerAndLogin(a!.app)
  const other = json<{ session_id: string }>(await login(a!.app, owner.email))
  await a!.app.inject({ method: 'DELETE', url: `/auth/sessions/${other.session_id}`, headers: bearer(owner.accessToken) })
  t.match(await next('session delete', (e) => e.sessionId === other.session_id), { reason: 'session_deleted' })

  const admin = await registerAndLogin(a!.app)
  await a!.app.users.setRoles(admin.userId, ['admin'])
  const adminToken = json<{ access_token: string }>(await login(a!.app, admin.email)).access_token
  const victim = await registerAndLogin(a!.app)
  t.equal((await post(a!.app, `/admin/users/${victim.userId}/disable`, adminToken)).statusCode, 204)
  t.match(await next('admin disable', (e) => e.userId === victim.userId), { kind: 'user', reason: 'admin_disable' })
  const text = stream.body()
  for (const email of [loggedOut.email, all.email, owner.email, victim.email]) t.notOk(text.includes(email), 'no email on the wire')
})

t.test('reuse detection on A is an event on B', async (t) => {
  const clock = manualClock()
  const [a, b] = await feedApps(t, 2, {}, clock.now)
  const stream = await connectSse(`${b!.url}/revocations/stream`, FEED_AUTH)
  t.teardown(stream.close)
  const victim = await registerAndLogin(a!.app)
  t.equal((await refresh(a!.app, victim.refreshToken)).statusCode, 200)
  clock.advance(60_000) // past the grace window
  t.equal((await refresh(a!.app, victim.refreshToken)).statusCode, 400, 'reuse detected')
  const m = await stream.waitFor((m) => isRevocation(m) && dataOf(m).sessionId === victim.sessionId)
  t.match(dataOf(m), { kind: 'session', userId: victim.userId, reason: 'reuse' })
})

t.test('a subscriber cut off resumes with Last-Event-ID and gets exactly the events it missed', async (t) => {
  const [a, b] = await feedApps(t, 2)
  const first = await connectSse(`${b!.url}/revocations/stream`, FEED_AUTH)
  const end = await first.waitFor((m) => m.event === 'snapshot-end')
  const seen = await registerAndLogin(a!.app)
  await post(a!.app, '/auth/logout', seen.accessToken)
  const last = await first.waitFor((m) => isRevocation(m) && dataOf(m).sessionId === seen.sessionId)
  t.not(last.id, end.id)
  first.close()

  const missed = [await registerAndLogin(a!.app), await registerAndLogin(a!.app)]
  for (const user of missed) await post(a!.app, '/auth/logout', user.accessToken)
  const markers: string[] = []
  for (const [how, headers, query] of [['header', { ...FEED_AUTH, 'last-event-id': last.id! }, ''], ['query', FEED_AUTH, `?lastEventId=${last.id!}`]] as const) {
    const resumed = await connectSse(`${b!.url}/revocations/stream${query}`, headers)
    t.teardown(resumed.close)
    const marker = await registerAndLogin(a!.app)
    await post(a!.app, '/auth/logout', marker.accessToken)
    markers.push(marker.sessionId)
    await resumed.waitFor((m) => isRevocation(m) && dataOf(m).sessionId === marker.sessionId)
    t.notOk(resumed.messages.some((m) => m.event.startsWith('snapshot')), `${how}: no snapshot`)
    const sessions = resumed.messages.filter(isRevocation).map((m) => dataOf(m).sessionId)
    t.same(sessions, [...missed.map((u) => u.sessionId), ...markers], `${how}: exactly the missed events, in order, then live ones`)
  }
})

t.test('a subscriber without a usable id gets a snapshot holding revocations made before it connected', async (t) => {
  const [a, b] = await feedApps(t, 2)
  const early = await registerAndLogin(a!.app)
  await post(a!.app, '/auth/logout-all', early.accessToken)
  const session = await registerAndLogin(a!.app)
  await post(a!.app, '/auth/logout', session.accessToken)
  // B learns of A's revocations a moment later (pub/sub); its snapshot is what B holds when the subscriber connects.
  await eventually(() => b!.app.revocations.list.isRevoked({ userId: session.userId, sessionId: session.sessionId, sessionVersion: 1 }),
    'B holds the revocations made on A')
  for (const lastEventId of [undefined, 'not-an-id', '99999999999999-0']) {
    const stream = await connectSse(`${b!.url}/revocations/stream`, lastEventId === undefined ? FEED_AUTH : { ...FEED_AUTH, 'last-event-id': lastEventId })
    t.teardown(stream.close)
    const end = await stream.waitFor((m) => m.event === 'snapshot-end')
    const entries = stream.messages.filter((m) => m.event === 'snapshot').flatMap((m) => dataOf<{ entries: Array<Record<string, unknown>> }>(m).entries)
    t.match(entries, [{ kind: 'user', userId: early.userId }], `${lastEventId ?? 'no id'}: the user floor`)
    t.ok(entries.some((e) => e.kind === 'session' && e.sessionId === session.sessionId), 'the dead session')
    t.same(dataOf(end), { count: entries.length })
    t.match(end.id, /^[0-9]+-[0-9]+$/, 'snapshot-end carries the position to resume from')
    // Resuming from the snapshot's position misses nothing and repeats nothing.
    const after = await connectSse(`${b!.url}/revocations/stream`, { ...FEED_AUTH, 'last-event-id': end.id! })
    t.teardown(after.close)
    const marker = await registerAndLogin(a!.app)
    await post(a!.app, '/auth/logout', marker.accessToken)
    await after.waitFor((m) => isRevocation(m) && dataOf(m).sessionId === marker.sessionId)
    t.equal(after.messages.filter(isRevocation).length, 1, 'only what came after the snapshot')
    stream.close(); after.close()
  }
})
