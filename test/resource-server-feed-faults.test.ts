// The revocation feed under faults, seen from a resource server that is not Rotor (the example process with
// @rotor/verify): its stream cut when the instance it follows stops, every Rotor instance restarted, and Rotor's own
// Redis subscriber killed while revocations happen. After each, every token revoked meanwhile is rejected (the
// subscriber resumed from its last event id, or took a snapshot) and a token that was not revoked still passes.
import t, { type Test as TapTest } from 'tap'
import type { FastifyInstance } from 'fastify'
import { freePort } from '../src/redis-server.js'
import { bearer, rawRedis, redisUrl, registerAndLogin, type LoggedIn } from './helper.js'
import { eventually, feedApps, type FeedApp } from './feed-helper.js'
import { startResourceServer } from './resource-server-process.js'

// Apps started inside a subtest live on for the next ones: they are closed when the file ends.
const file = t
const port = await freePort()
const issuer = `http://127.0.0.1:${port}`
const env = { JWT_ISSUER: issuer }
const redis = await rawRedis(t, await redisUrl())
// A and B share a key prefix; a restarted instance is a new app on the same prefix (and A on the issuer's port).
let [a, b] = await feedApps(t, 2, env, undefined, [port, 0]) as [FeedApp, FeedApp]
const prefix = a.app.config.redis.keyPrefix
const restart = async (which: FeedApp, listenPort: number): Promise<FeedApp> => {
  await which.app.close()
  const [fresh] = await feedApps(file, 1, { ...env, REDIS_KEY_PREFIX: prefix }, undefined, [listenPort])
  return fresh!
}
const rs = await startResourceServer(t, issuer)

const logoutAll = async (app: FastifyInstance, user: LoggedIn) => {
  const res = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })
  if (res.statusCode !== 204) throw new Error(`logout-all answered ${res.statusCode}: ${res.body}`)
}

/** Every revoked token is rejected by the resource server (within a generous deadline), the survivor accepted. */
async function allRejected (t: TapTest, revoked: LoggedIn[], survivor: LoggedIn): Promise<void> {
  await eventually(async () => {
    for (const user of revoked) if (await rs.hello(user.accessToken) !== 401) return false
    return true
  }, 'every revoked token rejected by the resource server', 30_000)
  t.pass(`${revoked.length} revoked tokens rejected`)
  t.equal(await rs.hello(survivor.accessToken), 200, 'a token that was not revoked still passes')
}

t.test('the instance the resource server follows stops: revocations made meanwhile on another arrive after', async (t) => {
  const users = await Promise.all([1, 2, 3, 4].map(() => registerAndLogin(b.app)))
  for (const user of users) t.equal(await rs.hello(user.accessToken), 200)
  await a.app.close() // the resource server's stream is cut; it keeps reconnecting to the issuer's port
  for (const user of users.slice(0, 3)) await logoutAll(b.app, user)
  a = (await feedApps(file, 1, { ...env, REDIS_KEY_PREFIX: prefix }, undefined, [port]))[0]!
  await allRejected(t, users.slice(0, 3), users[3]!)
})

t.test('every Rotor instance restarted, with revocations between the restarts', async (t) => {
  const users = await Promise.all([1, 2, 3, 4, 5].map(() => registerAndLogin(a.app)))
  await logoutAll(a.app, users[0]!)
  b = await restart(b, 0)
  await logoutAll(b.app, users[1]!)
  a = await restart(a, port)
  await logoutAll(a.app, users[2]!)
  await logoutAll(b.app, users[3]!)
  await allRejected(t, users.slice(0, 4), users[4]!)
})

t.test("Rotor's own Redis subscribers killed again and again while revocations happen on both instances", async (t) => {
  const users = await Promise.all(Array.from({ length: 9 }, (_, i) => registerAndLogin(i % 2 === 0 ? a.app : b.app)))
  let killing = true
  const killer = (async () => {
    while (killing) {
      await redis.client('KILL', 'TYPE', 'pubsub').catch(() => 0)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  for (const [i, user] of users.slice(0, 8).entries()) {
    // A revocation is refused (503) only if the store itself is unreachable; the subscriber's loss must not matter.
    await logoutAll(i % 2 === 0 ? a.app : b.app, user)
  }
  killing = false
  await killer
  await allRejected(t, users.slice(0, 8), users[8]!)
})
