// MAX_SESSIONS_PER_USER: a login beyond the limit evicts the least recently used family, atomically, inside the
// login script; its access token dies on every instance too.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, buildTestApp, json, login, manualClock, refresh, register } from './helper.js'

type Tokens = { access_token: string, refresh_token: string, session_id: string }
const loginTokens = async (app: FastifyInstance, email: string) => json<Tokens>(await login(app, email))

t.test('evicts the least recently used session when a login goes over the limit', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env: { MAX_SESSIONS_PER_USER: '2' } })
  const { email } = await register(app)
  const first = await loginTokens(app, email)
  clock.advance(1000)
  const second = await loginTokens(app, email)
  clock.advance(1000)
  const firstRotated = json<Tokens>(await refresh(app, first.refresh_token)) // first is now the most recently used
  clock.advance(1000)
  const third = await loginTokens(app, email)

  t.equal((await refresh(app, second.refresh_token)).statusCode, 400, 'the least recently used one is gone')
  t.equal((await app.inject({ url: '/me', headers: bearer(second.access_token) })).statusCode, 401, 'with its access token')
  t.equal((await refresh(app, firstRotated.refresh_token)).statusCode, 200, 'the recently used one lives')
  const sessions = json<{ sessions: Array<{ id: string }> }>(await app.inject({ url: '/auth/sessions', headers: bearer(third.access_token) }))
  t.same(sessions.sessions.map((s) => s.id).sort(), [first.session_id, third.session_id].sort())
})

t.test('keeps one session per user when the limit is 1: a new login ends the old one', async (t) => {
  const app = await buildTestApp(t, { env: { MAX_SESSIONS_PER_USER: '1' } })
  const { email } = await register(app)
  const old = await loginTokens(app, email)
  const current = await loginTokens(app, email)
  t.equal((await refresh(app, old.refresh_token)).statusCode, 400)
  t.equal((await refresh(app, current.refresh_token)).statusCode, 200)
})

t.test('never leaves more live sessions than the limit, even with parallel logins', async (t) => {
  const app = await buildTestApp(t, { env: { MAX_SESSIONS_PER_USER: '2' } })
  const { email, id } = await register(app)
  const results = await Promise.all(Array.from({ length: 8 }, () => login(app, email)))
  t.same(results.map((r) => r.statusCode), Array(8).fill(200), 'every login succeeds (a changed index is retried)')
  t.equal((await app.sessions.listSessions(id)).length, 2)
  const live = await Promise.all(results.map((r) => refresh(app, json<Tokens>(r).refresh_token)))
  t.equal(live.filter((r) => r.statusCode === 200).length, 2, 'exactly two families still refresh')
})

t.test('does not count expired or revoked sessions towards the limit', async (t) => {
  const app = await buildTestApp(t, { env: { MAX_SESSIONS_PER_USER: '2' } })
  const { email } = await register(app)
  const first = await loginTokens(app, email)
  await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: first.refresh_token } })
  const second = await loginTokens(app, email)
  await loginTokens(app, email)
  t.equal((await refresh(app, second.refresh_token)).statusCode, 200, 'the logged-out session made room')
})

t.test('keeps at most 100 sessions per user by default, ending the least recently used one', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  t.equal(app.config.refresh.maxSessionsPerUser, 100, 'the default limit')
  const { id } = await register(app)
  const device = { userId: id, userAgent: 'rotor test', ip: '127.0.0.1' }
  const created: string[] = []
  for (let i = 0; i < 100; i++) {
    clock.advance(1000)
    const c = await app.sessions.createFamily(device)
    if (c.ok) created.push(c.issued.familyId)
  }
  t.equal(created.length, 100)
  clock.advance(1000)
  const newest = await app.sessions.createFamily(device)
  t.same(newest.ok && newest.evicted, [created[0]], 'the 101st login ends exactly the oldest one')
  const listed = (await app.sessions.listSessions(id)).map((s) => s.id)
  t.equal(listed.length, 100)
  t.notOk(listed.includes(created[0]!), 'which is no longer listed')
})

t.test('makes room with a logged-out session before ending a live one', async (t) => {
  const app = await buildTestApp(t, { env: { MAX_SESSIONS_PER_USER: '2' } })
  const { email } = await register(app)
  const first = await loginTokens(app, email)
  const second = await loginTokens(app, email)
  await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: second.refresh_token } })
  const third = await loginTokens(app, email)
  t.equal((await refresh(app, first.refresh_token)).statusCode, 200, 'the older live session survives')
  t.equal((await refresh(app, third.refresh_token)).statusCode, 200)
})
