// Home-region routing end to end (docs/regions.md, "Home region"): Rotor instances in regions 2 and 3 on the
// three-region Cluster (scripts/regions/region-cluster.ts), each with its region's NAT map and home slots. A user
// registered in region 2 has its keys on region 2's master; logging in and refreshing through region 3 works (its
// writes cross one link to that master) and the tokens verify in both regions.
import t from 'tap'
import calculateSlot from 'cluster-key-slot'
import type { FastifyInstance } from 'fastify'
import { REGIONS, SHARD_SLOTS, startRegionCluster, type RegionCluster } from '../scripts/regions/region-cluster.js'
import { inRanges } from '../src/users/home-slots.js'
import { bearer, buildTestApp, json, login, refresh, register, uniquePrefix, type Test } from './helper.js'

let cluster: RegionCluster
t.before(async () => { cluster = await startRegionCluster() })
t.teardown(() => cluster?.close())

const homeSlots = (region: number): string => SHARD_SLOTS.get(region)!.join('-')
const master = (region: number) => cluster.nodes.find((n) => n.region === region && n.shard === region)!

/** A Rotor instance of `region`: its region's seeds and NAT map, its home slots; `prefix` shared across regions. */
function instanceIn (test: Test, region: number, prefix: string): Promise<FastifyInstance> {
  return buildTestApp(test, {
    redisUrl: 'redis://127.0.0.1',
    // 40 ms each way to a remote master on a busy machine: more room than the 1 s default per command.
    env: { ...cluster.envFor(region), REDIS_HOME_SLOTS: homeSlots(region), REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '3000' }
  })
}

t.test('a user registered in region 2 lives on region 2\'s master, and logs in and refreshes through region 3', async (t) => {
  const prefix = uniquePrefix()
  const [region2, region3] = [await instanceIn(t, 2, prefix), await instanceIn(t, 3, prefix)]

  const users = await Promise.all(Array.from({ length: 5 }, () => register(region2)))
  for (const user of users) {
    const key = `${prefix}{${user.id}}:user`
    t.ok(inRanges(calculateSlot(key), [SHARD_SLOTS.get(2)!]), `${user.id}: its slot is in region 2's home range`)
    t.equal(await cluster.admin(master(2)).exists(key), 1, 'and region 2\'s master holds the user')
  }

  const [user] = users
  const loggedIn = await login(region3, user!.email)
  t.equal(loggedIn.statusCode, 200, 'login through region 3')
  const { access_token: accessToken, refresh_token: refreshToken } = json<{ access_token: string, refresh_token: string }>(loggedIn)
  const refreshed = await refresh(region3, refreshToken)
  t.equal(refreshed.statusCode, 200, 'refresh through region 3')
  const next = json<{ access_token: string, refresh_token: string }>(refreshed)
  // The rotation ran on the home master: the session's keys are in region 2, reached from region 3's address.
  const clients = (await cluster.admin(master(2)).client('LIST') as string).split('\n')
  t.ok(clients.some((l) => / flags=N /.test(l) && /addr=127\.0\.0\.3:/.test(l)), 'region 2\'s master served region 3\'s instance')
  t.equal((await refresh(region2, next.refresh_token)).statusCode, 200, 'the next refresh, back home, follows the rotation')
  for (const [name, app] of [['region 2', region2], ['region 3', region3]] as const) {
    t.equal((await app.inject({ url: '/me', headers: bearer(accessToken) })).statusCode, 200, `access token verified in ${name}`)
  }
  t.equal((await refresh(region3, refreshToken)).statusCode, 400, 'an older token replayed in another region is still caught as reuse')

})

t.test('each region draws its new users into its own home slots', async (t) => {
  const prefix = uniquePrefix()
  for (const region of REGIONS) {
    const app = await instanceIn(t, region, prefix)
    const user = await register(app)
    const key = `${prefix}{${user.id}}:user`
    t.ok(inRanges(calculateSlot(key), [SHARD_SLOTS.get(region)!]), `region ${region}: slot ${calculateSlot(key)}`)
    t.equal(await cluster.admin(master(region)).exists(key), 1, `on region ${region}'s master`)
  }
})
