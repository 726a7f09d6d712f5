// Strict routes read Redis on every request: a session revoked by any means is refused at once, and without
// Redis they fail closed (503) instead of trusting the local list.
import t from 'tap'
import { bearer, buildTestApp, json, registerAndLogin } from './helper.js'
import { startRedisServer } from '../src/redis-server.js'

t.test('refuses a session revoked behind the feed\'s back on strict routes while local verification still accepts it', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  // Revoke in the store only, without a broadcast: what a lost broadcast or a degraded feed looks like.
  await app.sessions.revokeFamily(user.userId, user.sessionId, 'logout')
  t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 200, '/me verifies locally')
  const strict = await app.inject({ url: '/auth/sessions', headers: bearer(user.accessToken) })
  t.equal(strict.statusCode, 401, 'session management checks the store')
  t.equal(json(strict).error, 'invalid_token')
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 401)
})

t.test('refuses strict routes after a session-version bump made directly in the store', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  await app.sessions.revokeAllForUser(user.userId, 'logout_all')
  t.equal((await app.inject({ url: '/auth/sessions', headers: bearer(user.accessToken) })).statusCode, 401)
})

t.test('fails closed with 503 on strict routes when Redis is down', async (t) => {
  const redis = await startRedisServer()
  const app = await buildTestApp(t, { redisUrl: redis.url })
  const user = await registerAndLogin(app)
  await redis.stop()
  const res = await app.inject({ url: '/auth/sessions', headers: bearer(user.accessToken) })
  t.equal(res.statusCode, 503)
  t.equal(json(res).error, 'temporarily_unavailable')
  t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 200, 'non-strict routes keep working')
})
