// Security events are logged with user id, family id and IP, and never with a token (ASVS 7.1.1).
import t from 'tap'
import { json, login, manualClock, refresh, registerAndLogin, uniqueEmail } from './helper.js'
import { appWithLogCapture } from './log-capture.js'

t.test('logs reuse detection with the user and family ids but not the token', async (t) => {
  const clock = manualClock()
  const { app, lines } = await appWithLogCapture(t, { clock: clock.now, storeClock: clock.now })

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

t.test('logs failed logins and account locks with a stable account reference, never the email', async (t) => {
  const { app, lines } = await appWithLogCapture(t, { env: { LOGIN_LOCKOUT_AFTER_FAILURES: '2' } })
  const user = await registerAndLogin(app)
  const stranger = uniqueEmail()
  for (let i = 0; i < 3; i++) await login(app, user.email, 'not the right password at all')
  await login(app, stranger, 'not the right password at all')
  await login(app, stranger.toUpperCase(), 'not the right password at all')

  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  const failed = events.filter((e) => e.event === 'login_failed')
  t.same(failed.map((e) => e.reason), ['bad_credentials', 'bad_credentials', 'throttled', 'bad_credentials', 'bad_credentials'])
  const [a, b, locked, s1, s2] = failed
  t.match(a?.account, /^[A-Za-z0-9_-]{22}$/)
  t.equal(b?.account, a?.account, 'stable for one account')
  t.equal(locked?.account, a?.account, 'the lock too')
  t.equal(a?.userId, user.userId, 'with the user id when the account exists')
  t.equal(s1?.account, s2?.account, 'an unknown email gets one reference too, whatever its case')
  t.not(s1?.account, a?.account)
  t.equal(s1?.userId, undefined)
  t.equal(events.find((e) => e.event === 'rate_limited')?.account, a?.account, 'the lock event names the account')
  const everything = lines.join('').toLowerCase()
  t.notOk(everything.includes(user.email.toLowerCase()) || everything.includes(stranger.toLowerCase()), 'no email in the log')
})
