// Losing a region (docs/regions.md): region 1's three nodes are killed while users of every region refresh in a
// loop, region 1's users through region 2 (their DNS moved them there). Region 1's users get 200 or 503 with
// Retry-After, never invalid_grant, and are served again once a replica elsewhere has taken region 1's slots (the
// issue's target: 30 s); a session revoked before the loss stays revoked; the other regions' users are served throughout;
// a rotation the promoted replica never received is accepted as the lost rotation, and a replay is still reuse.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { SHARD_SLOTS, startRegionCluster, type RegionCluster } from '../scripts/regions/region-cluster.js'
import { json, refresh, registerAndLogin, uniquePrefix, type LoggedIn } from './helper.js'
import { instanceIn, retryingOn503 } from './region-clients.js'
import { sleep, until } from './topologies.js'

const FAILOVER_TARGET_MS = 30_000

let cluster: RegionCluster
t.before(async () => { cluster = await startRegionCluster() })
t.teardown(() => cluster?.close())

interface Loop { statuses: number[], unexpected: string[], okAtMs: number[], okAfterMs: () => number | undefined, stop: () => Promise<string> }

/**
 * Refreshes `user`'s family through `app` every 100 ms; records every status, every answer but 200 or 503 with
 * Retry-After, and how long after `sinceMs()` the first refresh sent after it was answered 200.
 */
function refreshLoop (app: FastifyInstance, user: LoggedIn, sinceMs: () => number | undefined): Loop {
  const loop = { statuses: [] as number[], unexpected: [] as string[], okAtMs: [] as number[], firstOkAfterMs: undefined as number | undefined }
  let token = user.refreshToken
  let stopped = false
  const done = (async () => {
    while (!stopped) {
      const since = sinceMs()
      const res = await refresh(app, token)
      loop.statuses.push(res.statusCode)
      if (res.statusCode === 200) {
        token = json<{ refresh_token: string }>(res).refresh_token
        loop.okAtMs.push(Date.now())
        if (since !== undefined && loop.firstOkAfterMs === undefined) loop.firstOkAfterMs = Date.now() - since
      } else if (res.statusCode !== 503 || res.headers['retry-after'] === undefined) {
        loop.unexpected.push(`${res.statusCode} ${res.body}`)
        return
      }
      await sleep(100)
    }
  })()
  return {
    statuses: loop.statuses,
    unexpected: loop.unexpected,
    okAtMs: loop.okAtMs,
    okAfterMs: () => loop.firstOkAfterMs,
    stop: async () => { stopped = true; await done; return token }
  }
}

t.test('region 1 lost: its users get 503 then 200, never invalid_grant; the other regions see nothing', async (t) => {
  const prefix = uniquePrefix()
  // Region 1's own instance registers its users, then goes down with the region (closed at teardown if a step fails).
  const closers: Array<() => unknown> = []
  let closed: Promise<unknown> | undefined
  const closeRegion1 = () => (closed ??= Promise.all(closers.map((close) => close())))
  t.teardown(closeRegion1)
  const region1 = await instanceIn({ teardown: (fn) => { closers.push(fn) } }, cluster, 1, prefix)
  const [region2, region3] = [await instanceIn(t, cluster, 2, prefix), await instanceIn(t, cluster, 3, prefix)]
  const roaming = await retryingOn503(t, 'register in region 1', () => registerAndLogin(region1))
  const revoked = await retryingOn503(t, 'register in region 1', () => registerAndLogin(region1))
  const lost = await retryingOn503(t, 'register in region 1', () => registerAndLogin(region1))
  const logout = await retryingOn503(t, 'logout', () => region1.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: revoked.refreshToken } }))
  t.equal(logout.statusCode, 204, 'a session of region 1 is revoked before the loss (acknowledged once a replica in another region has it)')
  const home2 = await retryingOn503(t, 'register in region 2', () => registerAndLogin(region2))
  const home3 = await retryingOn503(t, 'register in region 3', () => registerAndLogin(region3))
  await closeRegion1()
  // Writes acknowledged but not yet replicated would be lost with the region (the loss window of an asynchronous
  // write), which is not this test's subject.
  await cluster.replicated(1, 30_000)

  const failover: { atMs?: number } = {}
  const loops = {
    roaming: refreshLoop(region2, roaming, () => failover.atMs),
    home2: refreshLoop(region2, home2, () => undefined),
    home3: refreshLoop(region3, home3, () => undefined)
  }
  t.teardown(() => Promise.all(Object.values(loops).map((loop) => loop.stop())))
  await sleep(1000)
  // The lost rotation, made deterministic: region 2's replica of shard 1, the one to be promoted, is cut from region
  // 1 before region 1's master answers a rotation (through region 3); the region dies before the cut heals.
  cluster.links.cut(1, 2)
  const answered = await retryingOn503(t, 'rotation before the loss', () => refresh(region3, lost.refreshToken))
  t.equal(answered.statusCode, 200, 'region 1\'s master answers a rotation its failover candidate never receives')
  const held = json<{ refresh_token: string }>(answered).refresh_token
  const killedAtMs = Date.now()
  cluster.kill(1)

  await until('a replica in region 2 or 3 to hold region 1\'s slots', async () => {
    for (const viewer of cluster.nodes.filter((n) => n.region !== 1)) {
      const owner = await cluster.masterOf(SHARD_SLOTS.get(1)![0], viewer)
      if (owner === undefined || owner.region === 1) return false
    }
    return true
  }, FAILOVER_TARGET_MS)
  failover.atMs = Date.now()
  cluster.links.heal(1, 2)
  t.comment(`region 1's slots have a new master ${failover.atMs - killedAtMs} ms after the kill`)
  await until('region 1\'s user to be served again through region 2', () => loops.roaming.okAfterMs() !== undefined, 60_000)
  t.comment(`region 1's user served again ${loops.roaming.okAfterMs()} ms after that`)
  await sleep(1000)

  const tokens = new Map<string, string>()
  for (const [name, loop] of Object.entries(loops)) tokens.set(name, await loop.stop())
  const count = (loop: Loop, status: number) => loop.statuses.filter((s) => s === status).length
  t.same(loops.roaming.unexpected, [], 'region 1\'s user: only 200 and 503 with Retry-After')
  t.comment(`region 1's user: ${count(loops.roaming, 200)} × 200, ${count(loops.roaming, 503)} × 503`)
  for (const name of ['home2', 'home3'] as const) {
    const loop = loops[name]
    t.same(loop.unexpected, [], `${name}: nothing but 200 or 503 with Retry-After`)
    // Served while region 1's slots had no master. Strictly "every refresh 200" holds on a quiet machine; on a
    // loaded one a stalled link may make a master refuse writes for a moment (503, retried), see region-clients.ts.
    t.ok(loop.okAtMs.some((at) => at > killedAtMs && at < failover.atMs!), `${name}: refreshed during the failover`)
    t.comment(`${name}: ${count(loop, 200)} × 200, ${count(loop, 503)} × 503`)
  }
  const after = await retryingOn503(t, 'refresh', () => refresh(region3, tokens.get('roaming')!))
  t.equal(after.statusCode, 200, 'region 1\'s user refreshes through region 3 too, afterwards')
  const replayed = await retryingOn503(t, 'refresh', () => refresh(region2, revoked.refreshToken))
  t.equal(replayed.statusCode, 400, 'the session revoked before the loss stays revoked')

  const recoveredSoFar = async () => Number(/^rotor_refreshes_total\{outcome="lost_rotation_recovered"\} (\d+)$/m
    .exec((await region2.inject({ url: '/metrics' })).body)?.[1] ?? 0)
  const before = await recoveredSoFar()
  const recovered = await retryingOn503(t, 'refresh', () => refresh(region2, held))
  t.equal(recovered.statusCode, 200, 'the token the promoted node never saw is accepted: its user stays logged in')
  t.equal(await recoveredSoFar() - before, 1, 'as the rotation the failover lost')
  const stale = await retryingOn503(t, 'refresh', () => refresh(region2, lost.refreshToken))
  t.equal(stale.statusCode, 400, 'the generation the promoted node held, replayed, is still caught as reuse')
  const successor = json<{ refresh_token: string }>(recovered).refresh_token
  t.equal((await retryingOn503(t, 'refresh', () => refresh(region2, successor))).statusCode, 400, 'and revokes the family')
})
