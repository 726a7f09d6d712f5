// Rotation and the idempotent grace window (RFC 9700 §4.14.2: refresh-token rotation with reuse detection).
import t from 'tap'
import { buildTestApp, json, manualClock, refresh, registerAndLogin } from './helper.js'

type Tokens = { refresh_token: string, access_token: string, session_id: string, refresh_expires_in: number }

t.test('rotates the refresh token to the next generation of the same family', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const res = await refresh(app, user.refreshToken)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = json<Tokens>(res)
  t.not(body.refresh_token, user.refreshToken, 'a new refresh token is minted')
  t.equal(body.session_id, user.sessionId, 'the family stays the same')
  t.match(body.refresh_token, new RegExp(`^v1\\.${user.userId}\\.${user.sessionId}\\.2\\.`), 'generation 2')
  const me = await app.inject({ url: '/me', headers: { authorization: `Bearer ${body.access_token}` } })
  t.equal(me.statusCode, 200, 'the new access token works')
})

t.test('answers a retry of the predecessor inside the grace window with the same successor', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const user = await registerAndLogin(app)
  const first = json<Tokens>(await refresh(app, user.refreshToken))
  clock.advance(9_000)
  const retry = await refresh(app, user.refreshToken)
  t.equal(retry.statusCode, 200)
  t.equal(json<Tokens>(retry).refresh_token, first.refresh_token, 'identical successor: a lost response is harmless')
  const next = await refresh(app, first.refresh_token)
  t.equal(next.statusCode, 200, 'the successor is still live and rotates on')
})

t.test('gives 20 parallel refreshes of one token the same successor and leaves one live lineage', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const results = await Promise.all(Array.from({ length: 20 }, () => refresh(app, user.refreshToken)))
  t.same(results.map((r) => r.statusCode), Array(20).fill(200), 'no request is mistaken for reuse')
  const successors = new Set(results.map((r) => json<Tokens>(r).refresh_token))
  t.equal(successors.size, 1, 'every request got the same successor')
  const [successor] = [...successors] as [string]
  t.match(successor, /\.2\./, 'only one rotation happened')
  const next = await refresh(app, successor)
  t.equal(next.statusCode, 200, 'the lineage continues from that successor')
  t.match(json<Tokens>(next).refresh_token, /\.3\./)
})

t.test('stops honouring grace replays after REFRESH_GRACE_MAX_REPLAYS and treats the next as reuse', async (t) => {
  const app = await buildTestApp(t, { env: { REFRESH_GRACE_MAX_REPLAYS: '2' } })
  const user = await registerAndLogin(app)
  const successor = json<Tokens>(await refresh(app, user.refreshToken)).refresh_token
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'replay 1')
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'replay 2')
  const third = await refresh(app, user.refreshToken)
  t.equal(third.statusCode, 400)
  t.equal(json(third).error, 'invalid_grant')
  t.equal((await refresh(app, successor)).statusCode, 400, 'the family was revoked')
})

t.test('treats the predecessor as reuse when the grace window is zero', async (t) => {
  const app = await buildTestApp(t, { env: { REFRESH_REUSE_GRACE_SECONDS: '0' } })
  const user = await registerAndLogin(app)
  const successor = json<Tokens>(await refresh(app, user.refreshToken)).refresh_token
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400)
  t.equal((await refresh(app, successor)).statusCode, 400, 'the successor died with the family')
})

t.test('reports refresh_expires_in as the idle timeout, capped by what is left of the absolute lifetime', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now, env: { REFRESH_IDLE_TTL_SECONDS: '3600', REFRESH_ABSOLUTE_TTL_SECONDS: '7200' } })
  const user = await registerAndLogin(app)
  clock.advance(50 * 60_000) // 50 min in: the idle timeout (60 min) is the nearer end
  const first = json<Tokens>(await refresh(app, user.refreshToken))
  t.equal(first.refresh_expires_in, 3600, 'the idle timeout')
  clock.advance(40 * 60_000) // 90 min in: only 30 min of the absolute lifetime remain
  const second = json<Tokens>(await refresh(app, first.refresh_token))
  t.equal(second.refresh_expires_in, 1800, 'capped at the absolute lifetime left')
})
