// Home-region user ids (src/users/home-slots.ts): a new user's id puts all its keys in the slots of the instance's
// home master, so its writes stay in the region that registered it; without home slots ids are drawn as before.
import t from 'tap'
import calculateSlot from 'cluster-key-slot'
import { createKeyNames } from '../src/key-names.js'
import { homeTag, homeUserIds, inRanges } from '../src/users/home-slots.js'
import { createUserStore } from '../src/users/user-store.js'
import { buildTestApp } from './helper.js'

const keys = createKeyNames('rotor:')

t.test('draws ids whose user key, and so every key of the user, is in the home slot ranges', async (t) => {
  for (const ranges of [[[5461, 10922]], [[0, 99], [16000, 16383]], [[777, 777]]] as Array<Array<[number, number]>>) {
    const draw = homeUserIds(keys, ranges)
    const ids = new Set(Array.from({ length: 200 }, () => draw()))
    t.equal(ids.size, 200, `${JSON.stringify(ranges)}: every id is new`)
    t.ok([...ids].every((id) => inRanges(calculateSlot(keys.user(id)), ranges)), 'and in the ranges')
  }
})

t.test('keeps ids 128-bit random (22 base64url characters) with or without home slots', async (t) => {
  for (const draw of [homeUserIds(keys), homeUserIds(keys, [[0, 5460]])]) t.match(draw(), /^[A-Za-z0-9_-]{22}$/)
  const slots = new Set(Array.from({ length: 300 }, () => calculateSlot(keys.user(homeUserIds(keys)()))))
  t.ok([...slots].some((s) => s > 5460), 'no home slots: ids land anywhere')
})

t.test('finds one hash tag per home range, the same on every instance, for the region\'s rate-limit counters', async (t) => {
  for (const ranges of [[[0, 5460]], [[5461, 10922]], [[10923, 16383]], [[777, 777]]] as Array<Array<[number, number]>>) {
    const tag = homeTag('rate-limit', ranges)
    t.equal(homeTag('rate-limit', ranges), tag, `${JSON.stringify(ranges)}: deterministic`)
    const key = `${keys.rateLimitNamespace(tag)}POST/auth/token-127.0.0.1`
    t.ok(inRanges(calculateSlot(key), ranges), `${key}: a counter is in the home slots`)
  }
  t.equal(keys.rateLimitNamespace(), 'rotor:rate-limit:', 'no home slots: the namespace as before')
})

t.test('registers users with home ids through the store', async (t) => {
  const app = await buildTestApp(t)
  const store = createUserStore({ redis: app.redis, keys: createKeyNames(app.config.redis.keyPrefix), nowMs: Date.now, newUserId: homeUserIds(keys, [[10923, 16383]]) })
  const user = await store.create({ email: 'home@example.com', passwordHash: 'x' })
  t.ok(user !== undefined && inRanges(calculateSlot(keys.user(user.id)), [[10923, 16383]]))
  t.equal((await store.findByEmail('home@example.com'))?.id, user?.id, 'found again by email')
})
