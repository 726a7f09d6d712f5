// A login storm must not hurt validation: argon2 admission is taken first of all on the password routes, so a flood
// beyond PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE_MAX is answered 503 with Retry-After before its body is read
// and before the per-IP limiter or the lock-out touch Redis, while /me keeps answering. The argon2 concurrency itself
// comes from the cores this process may use (see config.ts).
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { bearer, buildTestApp, json, login, PASSWORD, register, registerAndLogin } from './helper.js'

function gate () {
  let open!: () => void
  const opened = new Promise<void>((resolve) => { open = resolve })
  return { open, opened }
}

t.test('a flood beyond the argon2 queue gets 503 with Retry-After at once, unparsed and uncounted, while /me answers 200', async (t) => {
  const app = await buildTestApp(t, {
    env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_MAX: '2', RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '6' }
  })
  const user = await registerAndLogin(app) // one login counted by the limiter
  const held = gate()
  const holder = app.passwords.semaphore.run(() => held.opened) // the only slot, busy until the flood has been answered

  const flood = Array.from({ length: 30 }, () => login(app, user.email))
  // A body that does not parse: refused before the body is read, it is a 503, not a 400.
  const malformed = app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/json' }, payload: '{"email":' })
  const refusedWhileHeld = await Promise.all(flood.slice(2).concat(malformed))
  for (const res of refusedWhileHeld) {
    t.equal(res.statusCode, 503)
    t.equal(json(res).error, 'temporarily_unavailable')
    t.match(res.headers['retry-after'], /^[1-9][0-9]*$/)
  }
  t.match(app.passwords.semaphore.load(), { running: 1, admitted: 3 }, 'two logins admitted, behind the held slot')
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 200, '/me during the flood')

  held.open()
  await holder
  t.same((await Promise.all(flood.slice(0, 2))).map((res) => res.statusCode), [200, 200], 'the admitted logins are served')
  // 1 + 2 logins counted so far; had the 29 refused ones reached the limiter (6 a minute) this would be a 429.
  t.equal((await login(app, user.email)).statusCode, 200, 'refused logins never reached the per-IP limiter')
  t.same(app.passwords.semaphore.load(), { running: 0, waiting: 0, admitted: 0 }, 'every admission was given back')
})

t.test('registration and password change are admitted the same way, and a failed request gives its place back', async (t) => {
  const app = await buildTestApp(t, { env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_MAX: '0' } })
  const user = await register(app)
  t.equal((await app.inject({ method: 'POST', url: '/auth/token', payload: { email: user.email } })).statusCode, 400, 'an invalid body')
  t.equal((await app.inject({ method: 'POST', url: '/auth/password', payload: {} })).statusCode, 401, 'no bearer token')
  t.same(app.passwords.semaphore.load(), { running: 0, waiting: 0, admitted: 0 }, 'neither kept its admission')
  t.equal((await login(app, user.email, PASSWORD)).statusCode, 200)
})

t.test('argon2 runs on one core less than the process may use, below the libuv pool, unless configured', async (t) => {
  const concurrency = (env: Record<string, string>, cores: number) => loadConfig(env, { cores }).passwordHashing.concurrency
  t.equal(concurrency({}, 1), 1, '1 core: one job (the event loop shares it)')
  t.equal(concurrency({}, 2), 1, '2 cores: one for argon2, one for the event loop')
  t.equal(concurrency({}, 8), 3, '8 cores: capped one below the default pool of 4 threads')
  t.equal(concurrency({ UV_THREADPOOL_SIZE: '16' }, 8), 7, 'a larger pool lets it use the cores')
  t.equal(concurrency({ PASSWORD_HASH_CONCURRENCY: '3' }, 2), 3, 'an explicit setting wins')
  t.throws(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: '4' }, { cores: 8 }), /PASSWORD_HASH_CONCURRENCY \(4\) must be below UV_THREADPOOL_SIZE \(4\)/)
})
