// Password hashing with bounded concurrency: at most PASSWORD_HASH_CONCURRENCY argon2 jobs run and at most
// PASSWORD_HASH_QUEUE_MAX wait; beyond that a login or registration gets an immediate 503 temporarily_unavailable with
// Retry-After instead of an unbounded queue (OWASP Denial of Service Cheat Sheet).
import t from 'tap'
import { createSemaphore, SemaphoreSaturatedError } from '../src/users/semaphore.js'
import { bearer, buildTestApp, json, login, register, registerAndLogin, uniqueEmail } from './helper.js'

/** A promise the test settles by hand. */
function gate () {
  let open!: () => void
  const opened = new Promise<void>((resolve) => { open = resolve })
  return { open, opened }
}

t.test('the semaphore runs at most `concurrency` tasks and starts waiters in arrival order', async (t) => {
  const semaphore = createSemaphore({ concurrency: 2, queueMax: 2 })
  const started: string[] = []
  const gates = new Map<string, ReturnType<typeof gate>>()
  const task = (name: string) => semaphore.run(async () => {
    started.push(name)
    const g = gate()
    gates.set(name, g)
    await g.opened
    return name
  })
  const runs = ['a', 'b', 'c', 'd'].map(task)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(started, ['a', 'b'], 'two run, two wait')
  t.same(semaphore.load(), { running: 2, waiting: 2, admitted: 4 })
  gates.get('b')!.open()
  await runs[1]
  await new Promise((resolve) => setImmediate(resolve))
  t.same(started, ['a', 'b', 'c'], 'the first waiter takes the freed slot')
  for (const name of ['a', 'c']) gates.get(name)!.open()
  await new Promise((resolve) => setImmediate(resolve))
  gates.get('d')!.open()
  t.same(await Promise.all(runs), ['a', 'b', 'c', 'd'])
  t.same(semaphore.load(), { running: 0, waiting: 0, admitted: 0 })
})

t.test('the semaphore refuses at once, without running the task, when every slot is busy and the queue is full', async (t) => {
  const semaphore = createSemaphore({ concurrency: 1, queueMax: 1 })
  const g = gate()
  const first = semaphore.run(() => g.opened)
  const second = semaphore.run(async () => 'queued')
  let ran = false
  await t.rejects(semaphore.run(async () => { ran = true }), SemaphoreSaturatedError)
  t.notOk(ran, 'the refused task never ran')
  g.open()
  await first
  t.equal(await second, 'queued', 'the queued task still runs')
})

t.test('the semaphore frees the slot when a task fails', async (t) => {
  const semaphore = createSemaphore({ concurrency: 1, queueMax: 0 })
  await t.rejects(semaphore.run(async () => { throw new Error('boom') }), /boom/)
  t.equal(await semaphore.run(async () => 'next'), 'next')
  t.throws(() => createSemaphore({ concurrency: 0, queueMax: 0 }), RangeError)
})

t.test('with the hasher saturated, login, registration and password change answer a fast 503', async (t) => {
  const app = await buildTestApp(t, { env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_MAX: '0' } })
  const user = await registerAndLogin(app)
  const held = gate()
  const holder = app.passwords.semaphore.run(() => held.opened) // the one slot, busy until the test opens it

  const calls = {
    login: () => login(app, user.email),
    register: () => app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: 'correct horse battery staple' } }),
    'password change': () => app.inject({
      method: 'POST', url: '/auth/password', headers: bearer(user.accessToken), payload: { current_password: 'correct horse battery staple', new_password: 'an entirely new passphrase' }
    })
  }
  for (const [what, call] of Object.entries(calls)) {
    // Answered while the slot is still held: the request did not wait for it.
    const res = await call()
    t.equal(res.statusCode, 503, `${what}: 503`)
    t.same(json(res), { error: 'temporarily_unavailable', error_description: 'The server is busy; retry shortly' }, `${what}: body`)
    t.match(res.headers['retry-after'], /^[0-9]+$/, `${what}: Retry-After`)
  }
  held.open()
  await holder
  t.equal((await login(app, user.email)).statusCode, 200, 'served again once the slot is free')
})

t.test('a login refused for saturation does not count towards the account lock', async (t) => {
  const app = await buildTestApp(t, { env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_MAX: '0', LOGIN_LOCKOUT_AFTER_FAILURES: '2' } })
  const user = await register(app)
  const held = gate()
  const holder = app.passwords.semaphore.run(() => held.opened)
  t.equal((await login(app, user.email, 'not the password')).statusCode, 503)
  held.open()
  await holder
  t.equal((await login(app, user.email, 'not the password')).statusCode, 400, 'the first counted failure')
  // Had the 503 counted, this would be the third attempt, behind a lock set by the second.
  t.equal((await login(app, user.email)).statusCode, 200)
})
