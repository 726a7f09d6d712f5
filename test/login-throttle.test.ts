// The login throttle store called directly on real Redis: the lock schedule, TTLs on every key (nothing may live
// forever), the refund of attempts that never reached the password check, and the off switch.
import t from 'tap'
import { createKeyNames } from '../src/key-names.js'
import { createLoginThrottle, type LoginLockoutPolicy } from '../src/users/login-throttle.js'
import { manualClock, rawRedis, uniquePrefix, type Test } from './helper.js'

const POLICY: LoginLockoutPolicy = { afterFailures: 3, failureWindowSeconds: 900, baseSeconds: 30, maxSeconds: 900 }

async function setup (t: Test, policy = POLICY) {
  const redis = await rawRedis(t)
  const keys = createKeyNames(uniquePrefix())
  const clock = manualClock()
  const throttle = createLoginThrottle({ redis, keys, policy, storeClock: clock.now })
  return { redis, keys, clock, throttle }
}

t.test('locks for base × 2^(attempts − threshold), capped at maxSeconds, and reports the time left', async (t) => {
  const { throttle, clock } = await setup(t)
  const account = 'someone@example.com'
  const locksSeconds: number[] = []
  for (let i = 0; i < 3; i++) t.same(await throttle.begin(account), { allowed: true })
  for (let round = 0; round < 7; round++) {
    const refused = await throttle.begin(account)
    if (refused.allowed) throw new Error(`round ${round}: expected a lock`)
    locksSeconds.push(refused.retryAfterMs / 1000)
    clock.advance(refused.retryAfterMs)
    t.same(await throttle.begin(account), { allowed: true }, `round ${round}: allowed once the lock has ended`)
  }
  t.same(locksSeconds, [30, 60, 120, 240, 480, 900, 900])
})

t.test('keeps the state in one key per account with a TTL of the lock plus the forget window', async (t) => {
  const { throttle, redis, keys } = await setup(t)
  await throttle.begin('a@example.com')
  const key = keys.loginFailures('a@example.com')
  t.notMatch(key, /a@example\.com/, 'no raw address in the key name')
  const unlocked = await redis.pttl(key)
  t.ok(unlocked > 0 && unlocked <= 900_000, `before any lock: the forget window (${unlocked} ms)`)
  for (let i = 0; i < 2; i++) await throttle.begin('a@example.com')
  const locked = await redis.pttl(key)
  t.ok(locked > 900_000 && locked <= 930_000, `with a 30 s lock: lock + window (${locked} ms)`)
  t.same(await redis.hgetall(key).then((h) => Object.keys(h).sort()), ['la', 'lu', 'n'])
})

t.test('a success deletes only that account\'s key', async (t) => {
  const { throttle, redis, keys } = await setup(t)
  for (let i = 0; i < 3; i++) await throttle.begin('x@example.com')
  t.equal((await throttle.begin('x@example.com')).allowed, false)
  t.same(await throttle.begin('y@example.com'), { allowed: true }, 'another account is unaffected')
  await throttle.succeeded('y@example.com')
  t.equal(await redis.exists(keys.loginFailures('y@example.com')), 0)
  t.equal((await throttle.begin('x@example.com')).allowed, false, 'only the succeeding account is cleared')
})

t.test('refund takes one attempt back, leaves a lock alone and never recreates an expired key', async (t) => {
  const { throttle, redis, keys } = await setup(t)
  const key = keys.loginFailures('r@example.com')
  await throttle.begin('r@example.com')
  await throttle.begin('r@example.com')
  await throttle.refund('r@example.com')
  t.equal(await redis.hget(key, 'n'), '1')
  await throttle.begin('r@example.com')
  await throttle.begin('r@example.com') // the third: locks
  await throttle.refund('r@example.com')
  t.equal(await redis.hget(key, 'n'), '2', 'the count went back')
  t.equal((await throttle.begin('r@example.com')).allowed, false, 'the lock stays: it is bounded anyway')

  await redis.del(key)
  await throttle.refund('r@example.com')
  t.equal(await redis.exists(key), 0, 'no key without a TTL appears')
})

t.test('with afterFailures 0 allows everything and writes nothing', async (t) => {
  const { throttle, redis, keys } = await setup(t, { ...POLICY, afterFailures: 0 })
  for (let i = 0; i < 10; i++) t.same(await throttle.begin('off@example.com'), { allowed: true })
  t.equal(await redis.exists(keys.loginFailures('off@example.com')), 0)
})
