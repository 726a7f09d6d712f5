// Security events are logged with user id, family id and IP, and never with a token (ASVS 7.1.1).
import t from 'tap'
import { Writable } from 'node:stream'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { json, manualClock, redisUrl, refresh, registerAndLogin, REFRESH_SECRET, testKeySet, uniquePrefix } from './helper.js'

t.test('logs reuse detection with the user and family ids but not the token', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const clock = manualClock()
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: await redisUrl(), REDIS_KEY_PREFIX: uniquePrefix() })
  const app = await buildApp({ config, keySet: await testKeySet(), refreshSecret: REFRESH_SECRET, clock: clock.now, storeClock: clock.now, logger: { level: 'info', stream } })
  t.teardown(() => app.close())

  const user = await registerAndLogin(app)
  const successor = json<{ refresh_token: string }>(await refresh(app, user.refreshToken)).refresh_token
  clock.advance(60_000)
  t.equal((await refresh(app, user.refreshToken)).statusCode, 400)

  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  const reuse = events.find((e) => e.event === 'refresh_reuse_detected')
  t.ok(reuse, 'a reuse event was logged')
  t.equal(reuse?.userId, user.userId)
  t.equal(reuse?.familyId, user.sessionId)
  t.equal(reuse?.level, 40, 'at warn level')
  const everything = lines.join('\n')
  for (const secret of [user.refreshToken, successor, user.accessToken]) {
    t.notOk(everything.includes(secret), 'no token text anywhere in the log')
  }
  t.ok(events.some((e) => e.event === 'login_succeeded'), 'the login was logged too')
})
