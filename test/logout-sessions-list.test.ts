// GET /auth/sessions and DELETE /auth/sessions/{id}: a user sees and ends only their own live sessions
// (OWASP ASVS 3.3.4: users can view and log out of active sessions; ASVS 4.2.1: no access to other users' objects).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, buildTestApp, json, PASSWORD, refresh, register, registerAndLogin } from './helper.js'

interface SessionView {
  id: string, created_at: string, last_used_at: string, expires_at: string, user_agent: string, ip: string, current: boolean
}
interface Grant { access_token: string, refresh_token: string, session_id: string }

async function loginWithAgent (app: FastifyInstance, email: string, userAgent: string): Promise<Grant> {
  const res = await app.inject({
    method: 'POST', url: '/auth/token', headers: { 'user-agent': userAgent }, payload: { email, password: PASSWORD }
  })
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  return json(res)
}

async function listSessions (app: FastifyInstance, accessToken: string): Promise<SessionView[]> {
  const res = await app.inject({ method: 'GET', url: '/auth/sessions', headers: bearer(accessToken) })
  if (res.statusCode !== 200) throw new Error(`list failed: ${res.statusCode} ${res.body}`)
  return json<{ sessions: SessionView[] }>(res).sessions
}

function deleteSession (app: FastifyInstance, accessToken: string, id: string) {
  return app.inject({ method: 'DELETE', url: `/auth/sessions/${id}`, headers: bearer(accessToken) })
}

t.test('lists only the caller\'s live sessions, marking the caller\'s own as current', async (t) => {
  const app = await buildTestApp(t)
  const { email } = await register(app)
  const laptop = await loginWithAgent(app, email, 'Laptop/1.0')
  const phone = await loginWithAgent(app, email, 'Phone/2.0')
  const stranger = await registerAndLogin(app)

  const res = await app.inject({ method: 'GET', url: '/auth/sessions', headers: bearer(laptop.access_token) })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const sessions = json<{ sessions: SessionView[] }>(res).sessions
  t.same(sessions.map((s) => s.id).sort(), [laptop.session_id, phone.session_id].sort(), 'the other user\'s session is not listed')
  t.notOk(sessions.some((s) => s.id === stranger.sessionId))
  for (const s of sessions) {
    t.same(Object.keys(s).sort(), ['created_at', 'current', 'expires_at', 'id', 'ip', 'last_used_at', 'user_agent'])
    t.equal(s.current, s.id === laptop.session_id, 'current only for the session of the presented access token')
    t.equal(s.user_agent, s.id === laptop.session_id ? 'Laptop/1.0' : 'Phone/2.0', 'the User-Agent the login sent')
    t.equal(s.ip, '127.0.0.1')
    const [created, lastUsed, expires] = [s.created_at, s.last_used_at, s.expires_at].map((d) => Date.parse(d)) as [number, number, number]
    t.ok(created <= lastUsed && lastUsed < expires, 'created ≤ last used < expires')
    t.equal(new Date(created).toISOString(), s.created_at, 'ISO 8601 timestamps')
  }

  const fromPhone = await listSessions(app, phone.access_token)
  t.same(fromPhone.filter((s) => s.current).map((s) => s.id), [phone.session_id], 'the view follows the caller')
})

t.test('drops sessions from the list once they are revoked', async (t) => {
  const app = await buildTestApp(t)
  const { email } = await register(app)
  const [a, b, c] = [await loginWithAgent(app, email, 'A'), await loginWithAgent(app, email, 'B'), await loginWithAgent(app, email, 'C')]
  t.equal((await listSessions(app, a.access_token)).length, 3)
  const out = await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: b.refresh_token } })
  t.equal(out.statusCode, 204)
  t.same((await listSessions(app, a.access_token)).map((s) => s.id).sort(), [a.session_id, c.session_id].sort(), 'logged out: gone')
  t.equal((await deleteSession(app, a.access_token, c.session_id)).statusCode, 204)
  t.same((await listSessions(app, a.access_token)).map((s) => s.id), [a.session_id], 'deleted: gone')
})

t.test('requires a bearer access token to list sessions', async (t) => {
  const app = await buildTestApp(t)
  for (const headers of [{}, bearer('not.a.jwt')]) {
    const res = await app.inject({ method: 'GET', url: '/auth/sessions', headers })
    t.equal(res.statusCode, 401)
    t.equal(json(res).error, 'invalid_token')
    t.match(String(res.headers['www-authenticate']), /^Bearer/, 'RFC 6750 §3 challenge')
  }
})

t.test('deletes the caller\'s own session and kills its refresh token', async (t) => {
  const app = await buildTestApp(t)
  const { email } = await register(app)
  const keep = await loginWithAgent(app, email, 'keep')
  const drop = await loginWithAgent(app, email, 'drop')
  const res = await deleteSession(app, keep.access_token, drop.session_id)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  const dead = await refresh(app, drop.refresh_token)
  t.equal(dead.statusCode, 400)
  t.equal(json(dead).error, 'invalid_grant')
  t.equal((await refresh(app, keep.refresh_token)).statusCode, 200, 'the caller\'s session is untouched')
  t.equal((await deleteSession(app, keep.access_token, drop.session_id)).statusCode, 404, 'already gone')
})

t.test('answers 404 for another user\'s session id and leaves that session working', async (t) => {
  const app = await buildTestApp(t)
  const attacker = await registerAndLogin(app)
  const victim = await registerAndLogin(app)
  const res = await deleteSession(app, attacker.accessToken, victim.sessionId)
  t.equal(res.statusCode, 404, 'indistinguishable from an unknown id: no probing for others\' sessions')
  t.equal(json(res).error, 'not_found')
  t.equal((await refresh(app, victim.refreshToken)).statusCode, 200, 'the victim\'s session still refreshes')
  t.equal((await listSessions(app, victim.accessToken)).length, 1)
})

t.test('answers 404 for an unknown session id and 400 for a malformed one', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const unknown = await deleteSession(app, user.accessToken, 'A'.repeat(22))
  t.equal(unknown.statusCode, 404)
  t.equal(json(unknown).error, 'not_found')
  for (const id of ['short', 'A'.repeat(23), `${'A'.repeat(21)}!`]) {
    const res = await deleteSession(app, user.accessToken, encodeURIComponent(id))
    t.equal(res.statusCode, 400, `id ${JSON.stringify(id)}`)
    t.equal(json(res).error, 'invalid_request')
  }
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'nothing was revoked')
})

t.test('requires a bearer access token to delete a session', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const res = await app.inject({ method: 'DELETE', url: `/auth/sessions/${user.sessionId}` })
  t.equal(res.statusCode, 401)
  t.equal(json(res).error, 'invalid_token')
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'the session survives')
})
