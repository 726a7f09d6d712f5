// A failover that loses a rotation logs nobody out: a primary answers a rotation its replica never receives, the
// replica is promoted, and the client's token (one generation ahead of the promoted node) is accepted as the lost
// rotation. Replaying the generation the promoted node held is still reuse, revokes the family and is logged.
// Made deterministic with REPLICAOF NO ONE on the replica before the rotation: from then on it receives nothing, as a
// replica that has not yet copied the write when its primary dies (a frozen replica would still read the write from
// its socket once it thaws).
import t from 'tap'
import { bearer, json, refresh, registerAndLogin, uniquePrefix } from './helper.js'
import { appWithLogCapture } from './log-capture.js'
import { info, nodeClient, scratchDir, startNodes, until } from './topologies.js'

type Tokens = { refresh_token: string, access_token: string }

t.test('a rotation lost by a failover is accepted, and a replay of the promoted node\'s generation is still reuse', async (t) => {
  const [primary] = await startNodes(t, scratchDir(t, 'lost-p'), 1, () => [])
  const [replica] = await startNodes(t, scratchDir(t, 'lost-r'), 1, () => ['--replicaof', '127.0.0.1', String(primary!.port)])
  const toPrimary = nodeClient(t, primary!.port)
  const toReplica = nodeClient(t, replica!.port)
  await until('the replica is online', async () => /state=online/.test((await info(toPrimary, 'replication')).get('slave0') ?? ''))
  const env = { REDIS_KEY_PREFIX: uniquePrefix() }

  const before = (await appWithLogCapture(t, { env: { ...env, REDIS_URL: primary!.url } })).app
  const user = await registerAndLogin(before)
  t.equal(Number(await toPrimary.wait(1, 5000)), 1, 'the replica holds the login')

  await toReplica.replicaof('NO', 'ONE') // replication stops here: the next write never reaches this node
  const answered = await refresh(before, user.refreshToken)
  t.equal(answered.statusCode, 200, 'the old primary answers the rotation')
  const held = json<Tokens>(answered).refresh_token
  await before.close()
  await primary!.stop() // and is lost

  const { app: after, lines } = await appWithLogCapture(t, { env: { ...env, REDIS_URL: replica!.url } })
  const res = await refresh(after, held)
  t.equal(res.statusCode, 200, 'the token the promoted node never saw is accepted')
  const tokens = json<Tokens>(res)
  t.equal(tokens.refresh_token.split('.')[3], '3', 'as the rotation it lost: the client gets generation 3')
  t.equal((await after.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) })).statusCode, 200, 'the user stays logged in')
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  const recovered = events.find((e) => e.event === 'refresh_succeeded' && e.recovered === true)
  t.equal(recovered?.level, 40, 'the recovered rotation is logged as a warning (the store lost an answered write)')

  const replay = await refresh(after, user.refreshToken)
  t.equal(replay.statusCode, 400, 'the promoted node\'s own generation, replayed, is refused')
  const reuse = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.event === 'refresh_reuse_detected')
  t.equal(reuse?.familyId, user.sessionId, 'as reuse, logged as a security event')
  t.equal(reuse?.level, 40, 'at warn level')
  t.equal((await refresh(after, tokens.refresh_token)).statusCode, 400, 'the family is revoked')
})
