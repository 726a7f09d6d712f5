// Every error the store answers is a 503 with Retry-After on every store-backed route, never a 500, whatever its code:
// also the ones no list of known outages names (NOPERM from an ACL change, WRONGTYPE from a clobbered key, OOM under
// maxmemory, a write blocked past the command timeout by CLIENT PAUSE, a node turned into a replica of a primary that
// is not there, a server busy with a runaway script until SCRIPT KILL). Those are logged at error level by their code,
// without keys or arguments. One Redis, one app; each state is set up and undone by a connection of its own user.
import t, { type Test as TapTest } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { Redis } from 'ioredis'
import { isStoreError, isStoreUnavailable } from '../src/redis-errors.js'
import { bearer, json, login, PASSWORD, rawRedis, redisUrl, registerAndLogin, uniqueEmail, type LoggedIn } from './helper.js'
import { appWithLogCapture } from './log-capture.js'

const env = {
  REDIS_COMMAND_TIMEOUT_MS: '500', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', LOGIN_LOCKOUT_AFTER_FAILURES: '1000',
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '100000', RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '100000', RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '100000'
}

interface Fixture { user: LoggedIn, other: LoggedIn, admin: LoggedIn }

/** Every store-backed route, with what it needs to reach the store (a token, a session, a user). */
const ROUTES: Array<[string, (f: Fixture) => InjectOptions]> = [
  ['register', () => ({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })],
  ['login', (f) => ({ method: 'POST', url: '/auth/token', payload: { email: f.user.email, password: PASSWORD } })],
  ['refresh', (f) => ({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: f.user.refreshToken } })],
  ['logout by refresh token', (f) => ({ method: 'POST', url: '/auth/logout', payload: { refresh_token: f.user.refreshToken } })],
  ['logout by bearer', (f) => ({ method: 'POST', url: '/auth/logout', headers: bearer(f.user.accessToken), payload: {} })],
  ['logout-all', (f) => ({ method: 'POST', url: '/auth/logout-all', headers: bearer(f.user.accessToken) })],
  ['session list', (f) => ({ method: 'GET', url: '/auth/sessions', headers: bearer(f.user.accessToken) })],
  ['session delete', (f) => ({ method: 'DELETE', url: `/auth/sessions/${f.user.sessionId}`, headers: bearer(f.user.accessToken) })],
  ['password change', (f) => ({ method: 'POST', url: '/auth/password', headers: bearer(f.user.accessToken),
    payload: { current_password: PASSWORD, new_password: `${PASSWORD} and more` } })],
  ['admin read', (f) => ({ method: 'GET', url: `/admin/users/${f.user.userId}`, headers: bearer(f.admin.accessToken) })],
  ['admin disable', (f) => ({ method: 'POST', url: `/admin/users/${f.other.userId}/disable`, headers: bearer(f.admin.accessToken) })],
  ['admin revoke-sessions', (f) => ({ method: 'POST', url: `/admin/users/${f.other.userId}/revoke-sessions`, headers: bearer(f.admin.accessToken) })],
  ['admin roles', (f) => ({ method: 'PUT', url: `/admin/users/${f.other.userId}/roles`, headers: bearer(f.admin.accessToken), payload: { roles: [] } })]
]

let app: FastifyInstance
let lines: string[]
let control: Redis // a user of its own, so an ACL change to the app's user leaves it working
let fixture: Fixture

t.before(async () => {
  ({ app, lines } = await appWithLogCapture(t, { env, level: 'warn' }))
  const setup = await rawRedis(t)
  await setup.call('ACL', 'SETUSER', 'store-errors-test', 'on', 'nopass', '~*', '&*', '+@all')
  control = new Redis(await redisUrl(), { username: 'store-errors-test', password: 'x' })
  t.teardown(() => control.quit())
  const [user, other, admin] = [await registerAndLogin(app), await registerAndLogin(app), await registerAndLogin(app)]
  await app.users.setRoles(admin.userId, ['admin'])
  admin.accessToken = json<{ access_token: string }>(await login(app, admin.email)).access_token
  fixture = { user, other, admin }
})

/** Each route under `state` (set up, every route asked at once, undone): none 500, every 5xx a 503 with Retry-After. */
async function underState (t: TapTest, setUp: () => Promise<unknown>, tearDown: () => Promise<unknown>) {
  await setUp()
  let answers: LightMyRequestResponse[]
  try {
    answers = await Promise.all(ROUTES.map(([, make]) => app.inject(make(fixture))))
  } finally {
    await tearDown()
  }
  const seen: string[] = []
  ROUTES.forEach(([label], i) => {
    const res = answers[i]!
    seen.push(`${label} ${res.statusCode}`)
    t.not(res.statusCode, 500, `${label}: not 500`)
    if (res.statusCode >= 500) {
      t.equal(res.statusCode, 503, `${label}: 503`)
      t.match(res.headers['retry-after'], /^[1-9][0-9]*$/, `${label}: Retry-After`)
      t.same(json(res), { error: 'temporarily_unavailable', error_description: json(res).error_description }, `${label}: our shape`)
    }
  })
  t.comment(seen.join(', '))
  return new Map(ROUTES.map(([label], i) => [label, answers[i]!.statusCode]))
}

t.test('NOPERM (the app\'s Redis user lost its permissions): every store-backed route answers 503', async (t) => {
  lines.length = 0
  const statuses = await underState(t,
    () => control.call('ACL', 'SETUSER', 'default', '-@all', '+ping', '+info', '+client', '+hello', '+auth', '+select'),
    () => control.call('ACL', 'SETUSER', 'default', '+@all'))
  for (const [label, status] of statuses) t.equal(status, 503, `${label}: 503 while nothing is permitted`)
  const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(fixture.user.accessToken) })
  t.equal(me.statusCode, 200, '/me still answers from the token alone (its documented degraded mode)')
  const logged = lines.filter((l) => l.includes('session store error')).map((l) => JSON.parse(l) as { level: number, err: { code: string }, outage: boolean })
  t.ok(logged.length > 0, 'logged')
  t.ok(logged.every((l) => l.level === 50 && l.err.code === 'NOPERM' && !l.outage), 'at error level, with the reply\'s code, not as an outage')
  t.notMatch(lines.join(''), new RegExp(`${fixture.user.userId}|${app.config.redis.keyPrefix}|${fixture.user.refreshToken}`), 'no keys, ids or tokens in the log')
})

t.test('WRONGTYPE (a user key clobbered): that user\'s routes answer 503, and the error is a store error', async (t) => {
  const key = `${app.config.redis.keyPrefix}{${fixture.user.userId}}:user`
  const saved = await control.dumpBuffer(key)
  const statuses = await underState(t, () => control.set(key, 'not a hash'), () => control.del(key).then(() => control.restore(key, 0, saved!)))
  for (const label of ['login', 'refresh', 'logout by refresh token', 'logout-all', 'session list', 'admin read']) {
    t.equal(statuses.get(label), 503, `${label}: 503`)
  }
  await control.set(`${app.config.redis.keyPrefix}a-string`, 'x')
  const err = await control.hget(`${app.config.redis.keyPrefix}a-string`, 'f').catch((e: unknown) => e)
  t.ok(isStoreError(err) && !isStoreUnavailable(err), 'a reply error outside the outage list is still a store error')
  t.notOk(isStoreError(new TypeError('Cannot read properties of undefined')), 'a bug of ours is not')
})

t.test('OOM (maxmemory 1, noeviction) and writes paused past the command timeout: no route answers 500', async (t) => {
  await underState(t, () => control.config('SET', 'maxmemory', '1'), () => control.config('SET', 'maxmemory', '0'))
  await underState(t, () => control.call('CLIENT', 'PAUSE', '1500', 'WRITE'), () => control.call('CLIENT', 'UNPAUSE'))
})

t.test('a node demoted to a replica of a missing primary, and a server busy with a runaway script: no route answers 500', async (t) => {
  const { port } = new URL(await redisUrl())
  await underState(t, async () => {
    await control.config('SET', 'replica-serve-stale-data', 'no') // reads refused too (MASTERDOWN)
    await control.call('REPLICAOF', '127.0.0.1', String(Number(port) === 1 ? 2 : 1)) // nothing listens there
  }, async () => {
    await control.config('SET', 'replica-serve-stale-data', 'yes')
    // What a revocation's own WAIT gets from a node demoted under it (a Cluster or Sentinel failover).
    const waitErr = await control.wait(1, 10).catch((e: unknown) => e)
    t.ok(isStoreError(waitErr) && isStoreUnavailable(waitErr), `a WAIT on a demoted node is an outage: ${String(waitErr)}`)
    await control.call('REPLICAOF', 'NO', 'ONE')
  })
  const runaway = new Redis(await redisUrl(), { username: 'store-errors-test', password: 'x' })
  t.teardown(() => runaway.disconnect())
  let killed: unknown
  await underState(t, async () => {
    await control.config('SET', 'busy-reply-threshold', '100')
    killed = runaway.eval('while true do end', 0).catch((e: unknown) => e)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }, async () => {
    await control.call('SCRIPT', 'KILL')
    await killed // the kill lands at the script's next check
    await control.config('SET', 'busy-reply-threshold', '5000')
  })
  const err = await killed
  t.match(err, { message: /killed/i }, 'the runaway script was killed')
  t.ok(isStoreError(err), 'and "script killed" is a store error too')
})
