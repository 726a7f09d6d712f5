// Security counters on /metrics: logins, refreshes, revocations and refused access tokens move with the right
// labels, and no label ever carries a user id, email or token (personal data and unbounded series).
import t from 'tap'
import { bearer, buildTestApp, json, login, manualClock, refresh, registerAndLogin } from './helper.js'
import { scrape, valueOf } from './metrics-scrape.js'

t.test('serves Prometheus text with the process metrics under the rotor_ prefix', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.match(res.body, /^# TYPE rotor_process_cpu_seconds_total counter$/m, 'default process metrics, prefixed')
  t.match(res.body, /^rotor_nodejs_heap_size_used_bytes \d/m)
  t.match(res.body, /^rotor_logins_total\{outcome="succeeded"\} 0$/m, 'known outcomes are exported before the first event')
})

t.test('counts logins by outcome', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  t.equal((await login(app, user.email, 'not the password at all')).statusCode, 400)
  t.equal((await login(app, 'nobody@example.com', 'not the password at all')).statusCode, 400)
  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_logins_total', { outcome: 'succeeded' }), 1)
  t.equal(valueOf(samples, 'rotor_logins_total', { outcome: 'bad_credentials' }), 2, 'unknown email and wrong password alike')
  t.equal(valueOf(samples, 'rotor_registrations_total'), 1)
})

t.test('counts rotations, grace replays and reuse, and the revocation reuse causes', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const user = await registerAndLogin(app)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'the predecessor again inside the grace window')
  clock.advance(60_000) // past REFRESH_REUSE_GRACE_SECONDS: the same predecessor is now reuse (RFC 9700 §4.14.2)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400)
  t.equal((await refresh(app, 'v1.not.a.refresh.token')).statusCode, 400)

  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'rotated' }), 1)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'grace_replay' }), 1)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'reuse_detected' }), 1)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'malformed' }), 1)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'revoked' }), 0, 'other outcomes stay at zero')
  t.equal(valueOf(samples, 'rotor_revocations_total', { reason: 'reuse', scope: 'family' }), 1)
})

t.test('counts refused refresh tokens by the store\'s reason: revoked, expired, bad MAC', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const revoked = await registerAndLogin(app)
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: revoked.refreshToken } })).statusCode, 204)
  t.equal((await refresh(app, revoked.refreshToken)).statusCode, 400)
  const parts = (await registerAndLogin(app)).refreshToken.split('.')
  parts[5] = (parts[5]!.startsWith('A') ? 'B' : 'A') + parts[5]!.slice(1)
  t.equal((await refresh(app, parts.join('.'))).statusCode, 400, 'a forged token is refused before Redis is touched')
  const idle = await registerAndLogin(app)
  clock.advance(8 * 24 * 3_600_000) // past the default 7-day idle timeout
  t.equal((await refresh(app, idle.refreshToken)).statusCode, 400)

  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'revoked' }), 1)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'bad_mac' }), 1)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'expired' }), 1)
  t.equal(valueOf(samples, 'rotor_refreshes_total', { outcome: 'rotated' }), 0)
})

t.test('counts revocations made here by reason and scope', async (t) => {
  const app = await buildTestApp(t)
  const a = await registerAndLogin(app)
  await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: a.refreshToken } })
  const b = await registerAndLogin(app)
  await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(b.accessToken) })
  const c = await registerAndLogin(app)
  const second = json<{ session_id: string }>(await login(app, c.email))
  await app.inject({ method: 'DELETE', url: `/auth/sessions/${second.session_id}`, headers: bearer(c.accessToken) })

  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_revocations_total', { reason: 'logout', scope: 'family' }), 1)
  t.equal(valueOf(samples, 'rotor_revocations_total', { reason: 'logout_all', scope: 'user' }), 1)
  t.equal(valueOf(samples, 'rotor_revocations_total', { reason: 'session_deleted', scope: 'family' }), 1)
})

t.test('counts refused access tokens by reason', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, { clock: clock.now })
  const me = (token: string) => app.inject({ url: '/me', headers: bearer(token) })
  t.equal((await me('not-a-jwt')).statusCode, 401)
  const [header, payload, signature] = (await registerAndLogin(app)).accessToken.split('.') as [string, string, string]
  const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA')
  t.equal((await me(`${header}.${payload}.${flipped}`)).statusCode, 401)

  const loggedOut = await registerAndLogin(app)
  await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: loggedOut.refreshToken } })
  t.equal((await me(loggedOut.accessToken)).statusCode, 401, 'revoked: the in-process list knows at once')

  const behindTheFeed = await registerAndLogin(app)
  // Revoked in the store only (a lost broadcast): local verification accepts it, the strict check does not.
  await app.sessions.revokeFamily(behindTheFeed.userId, behindTheFeed.sessionId, 'logout')
  t.equal((await app.inject({ url: '/auth/sessions', headers: bearer(behindTheFeed.accessToken) })).statusCode, 401)

  const expiring = await registerAndLogin(app)
  clock.advance(3_600_000)
  t.equal((await me(expiring.accessToken)).statusCode, 401)

  const { samples } = await scrape(app)
  const rejected = (reason: string) => valueOf(samples, 'rotor_access_token_rejections_total', { reason })
  t.equal(rejected('malformed'), 1)
  t.equal(rejected('bad_signature'), 1)
  t.equal(rejected('revoked'), 1)
  t.equal(rejected('strict_check'), 1)
  t.equal(rejected('expired'), 1)
})

t.test('counts access-token verifications from the cache and in full, for the cold-verify ratio', async (t) => {
  const app = await buildTestApp(t)
  const { accessToken } = await registerAndLogin(app)
  for (let i = 0; i < 4; i++) t.equal((await app.inject({ url: '/me', headers: bearer(accessToken) })).statusCode, 200)
  t.equal((await app.inject({ url: '/me', headers: bearer(`${accessToken}x`) })).statusCode, 401, 'a token never seen, refused')
  const { samples } = await scrape(app)
  t.equal(valueOf(samples, 'rotor_access_token_verifications_total', { path: 'full' }), 2, 'the first use of each token is checked in full')
  t.equal(valueOf(samples, 'rotor_access_token_verifications_total', { path: 'cache' }), 3, 'its next uses come from the cache')
})

t.test('never exposes a user id, email, family id or token in a label', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const next = json<{ refresh_token: string }>(await refresh(app, user.refreshToken))
  await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: next.refresh_token } })
  await app.inject({ url: '/me', headers: bearer(user.accessToken) })
  const { text } = await scrape(app)
  t.match(text, /rotor_revocations_total\{reason="logout"/, 'the events did reach the metrics')
  for (const secret of [user.userId, user.email, user.sessionId, user.refreshToken, next.refresh_token, user.accessToken]) {
    t.notOk(text.includes(secret), 'not in the scrape')
  }
})
