// With Redis down, the rate limiters and the login back-off must not turn the routes' fast 503 into a 500 (or a
// hang): the per-IP limiter fails open (the route itself needs Redis and answers 503 temporarily_unavailable with
// Retry-After), and the per-account check fails like any store call. The Redis is private, so stopping it harms no
// other test.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { startRedisServer } from '../src/redis-server.js'
import { answered, buildTestApp, json, login, refresh, registerAndLogin, uniqueEmail } from './helper.js'

t.test('with Redis down, the limited routes answer 503 temporarily_unavailable, not 500', async (t) => {
  const redis = await startRedisServer()
  t.teardown(() => redis.stop())
  // Production-like limits: every limiter is on and below what this test sends.
  const app = await buildTestApp(t, {
    redisUrl: redis.url,
    env: {
      RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '30',
      RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '30',
      RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '30',
      LOGIN_LOCKOUT_AFTER_FAILURES: '5'
    }
  })
  const user = await registerAndLogin(app)
  await redis.stop()

  const calls: Array<[string, () => PromiseLike<LightMyRequestResponse>]> = [
    ['login', () => login(app, user.email)],
    ['login, wrong password', () => login(app, user.email, 'not the password')],
    ['refresh', () => refresh(app, user.refreshToken)],
    ['register', () => app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: 'correct horse battery staple' } })]
  ]
  for (const [what, call] of calls) {
    const res = await answered(what, call())
    t.equal(res.statusCode, 503, `${what}: 503`)
    t.equal(json(res).error, 'temporarily_unavailable', `${what}: error code`)
    t.match(res.headers['retry-after'], /^[0-9]+$/, `${what}: Retry-After in seconds`)
  }
})
