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
  const account = 'account-someone'
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
  await throttle.begin('account-a')
  const key = keys.loginFailures('account-a')
  t.match(key, /\{account-a\}/, 'tagged with its subject: in that user\'s hash slot, on the user\'s home master')
  const unlocked = await redis.pttl(key)
  t.ok(unlocked > 0 && unlocked <= 900_000, `before any lock: the forget window (${unlocked} ms)`)
  for (let i = 0; i < 2; i++) await throttle.begin('account-a')
  const locked = await redis.pttl(key)
  t.ok(locked > 900_000 && locked <= 930_000, `with a 30 s lock: lock + window (${locked} ms)`)
  t.same(await redis.hgetall(key).then((h) => Object.keys(h).sort()), ['la', 'lu', 'n'])
})

t.test('refund takes one attempt back, leaves a lock alone and never recreates an expired key', async (t) => {
  const { throttle, redis, keys } = await setup(t)
  const key = keys.loginFailures('account-r')
  await throttle.begin('account-r')
  await throttle.begin('account-r')
  await throttle.refund('account-r')
  t.equal(await redis.hget(key, 'n'), '1')
  await throttle.begin('account-r')
  await throttle.begin('account-r') // the third: locks
  await throttle.refund('account-r')
  t.equal(await redis.hget(key, 'n'), '2', 'the count went back')
  t.equal((await throttle.begin('account-r')).allowed, false, 'the lock stays: it is bounded anyway')

  await redis.del(key)
  await throttle.refund('account-r')
  t.equal(await redis.exists(key), 0, 'no key without a TTL appears')
})

t.test('with afterFailures 0 allows everything and writes nothing', async (t) => {
  const { throttle, redis, keys } = await setup(t, { ...POLICY, afterFailures: 0 })
  for (let i = 0; i < 10; i++) t.same(await throttle.begin('account-off'), { allowed: true })
  t.equal(await redis.exists(keys.loginFailures('account-off')), 0)
})
