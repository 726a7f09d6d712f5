// A rotation the store lost (a failover promoted a replica that never received it) is recognised by the look-ahead,
// the hash of the next generation's derived secret, and accepted; every other token ahead of the store is still a
// rollback, and reuse and grace work as before. The loss is made here by writing the family's earlier record back,
// which is what a promoted replica holds (test/lost-rotation-failover.test.ts does it with a real replica).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { createRefreshTokenCodec, hashSecret, randomSecret } from '../src/sessions/refresh-token.js'
import { runScript } from '../src/sessions/scripts.js'
import { buildTestApp, manualClock, rawRedis, REFRESH_SECRET, registerAndLogin, type LoggedIn, type Test } from './helper.js'

const codec = createRefreshTokenCodec(REFRESH_SECRET)
const part = (token: string, index: number): string => token.split('.')[index]!

async function family (t: Test) {
  const clock = manualClock()
  const app: FastifyInstance = await buildTestApp(t, { clock: clock.now })
  const redis: Redis = await rawRedis(t)
  const user: LoggedIn = await registerAndLogin(app)
  const key = `${app.config.redis.keyPrefix}{${user.userId}}:user`
  const field = `f:${user.sessionId}`
  const rotate = async (token: string) => app.sessions.rotate(token)
  /** Rotate and return the successor's text (throws when the rotation is refused). */
  const next = async (token: string): Promise<string> => {
    const result = await rotate(token)
    if (!result.ok) throw new Error(`rotation refused: ${result.reason}`)
    return result.issued.token
  }
  const record = async (): Promise<Buffer> => (await redis.hgetBuffer(key, field))!
  const restore = async (value: Buffer): Promise<void> => { await redis.hset(key, field, value) }
  /** Rotate `token`, then write the family's record from before back: the client holds the successor, the store not. */
  const lose = async (token = user.refreshToken): Promise<string> => {
    const before = await record()
    const held = await next(token)
    await restore(before)
    return held
  }
  /** A lost rotation, then its recovery: the token the client held and the one the recovery answered. */
  const recover = async (): Promise<{ held: string, recovered: string }> => {
    const held = await lose()
    return { held, recovered: await next(held) }
  }
  /** 'ok', or why the store refused the token. */
  const outcome = async (token: string): Promise<string> => {
    const result = await rotate(token)
    return result.ok ? 'ok' : result.reason
  }
  return { app, clock, redis, user, key, field, rotate, next, record, restore, lose, recover, outcome }
}

t.test('accepts the next generation after a lost rotation, at login and later, as if the store had it', async (t) => {
  const f = await family(t)
  let current = f.user.refreshToken
  for (const lostAt of [1, 4]) {
    const held = await f.lose(current) // answered, then lost
    const result = await f.rotate(held)
    t.ok(result.ok, `the client's generation ${lostAt + 1} is accepted`)
    if (!result.ok) return
    t.equal(result.issued.recovered, true, 'and reported as a recovered lost rotation')
    t.equal(result.issued.replayed, false)
    t.equal(Number(part(result.issued.token, 3)), lostAt + 2, 'the client gets the generation after its own')
    current = await f.next(result.issued.token)
    t.equal(Number(part(current, 3)), lostAt + 3, 'the family goes on')
  }
})

t.test('after an accepted lost rotation, the store\'s own generation replayed is reuse and revokes the family', async (t) => {
  const f = await family(t)
  const { recovered } = await f.recover()
  t.equal(await f.outcome(f.user.refreshToken), 'reuse', 'generation 1, two behind, is reuse')
  t.equal(await f.outcome(recovered), 'revoked', 'the whole family is revoked')
})

t.test('the grace window of the real predecessor works after an accepted lost rotation, and ends as usual', async (t) => {
  const f = await family(t)
  const { held, recovered } = await f.recover()
  f.clock.advance(5_000)
  const retry = await f.rotate(held)
  t.ok(retry.ok && retry.issued.replayed, 'a retry of the presented token inside the window is a grace replay')
  t.equal(retry.ok ? retry.issued.token : '', recovered, 'with the same successor')
  f.clock.advance(6_000)
  t.equal(await f.outcome(held), 'reuse', 'after the window it is reuse')
})

t.test('a hand-out of the recovered generation answered 503 restarts its grace window (durable mode)', async (t) => {
  const f = await family(t)
  const { held, recovered } = await f.recover()
  f.clock.advance(9_000)
  // What unreplicatedWrites.rotation runs when WAIT fails: the generation and hash it handed out.
  const marked = await runScript(f.app.redis, 'mark-undelivered', [f.key],
    [f.user.sessionId, 3, hashSecret(part(recovered, 4)), f.clock.now(), f.app.config.refresh.idleTtlSeconds * 1000])
  t.equal(marked, 'restarted', 'the only hand-out was undelivered')
  f.clock.advance(9_000)
  const retry = await f.rotate(held)
  t.ok(retry.ok && retry.issued.token === recovered, '18 s after the recovery, the retry is still inside the restarted window')
})

t.test('a token two generations ahead of the store stays a rollback', async (t) => {
  const f = await family(t)
  const before = await f.record()
  const third = await f.next(await f.next(f.user.refreshToken))
  await f.restore(before)
  t.equal(await f.outcome(third), 'rollback', 'one lost rotation per family is what a failover loses')
  t.equal(await f.outcome(f.user.refreshToken), 'revoked', 'the family is revoked, as before')
})

t.test('a generation ahead with a secret the store did not derive stays a rollback', async (t) => {
  const f = await family(t)
  const forged = codec.format({ userId: f.user.userId, familyId: f.user.sessionId, generation: 2, secret: randomSecret() })
  t.equal(await f.outcome(forged), 'rollback', 'a valid MAC is not enough')
  t.equal(await f.outcome(f.user.refreshToken), 'revoked', 'and the family is revoked')
})

t.test('a record written before the look-ahead existed reads unchanged: it rotates, and a lost rotation is a rollback', async (t) => {
  const f = await family(t)
  const current = await f.record()
  t.equal(current.subarray(49, 50).toString(), 'N', 'new records carry the look-ahead after the fixed part')
  const legacy = Buffer.concat([current.subarray(0, 49), current.subarray(66)])
  await f.restore(legacy)
  const held = await f.next(f.user.refreshToken)
  t.equal((await f.record()).subarray(49, 50).toString(), 'N', 'its first rotation writes a look-ahead')
  const second = await f.rotate(held)
  t.ok(second.ok, 'and the family goes on')

  const g = await family(t)
  await g.restore(Buffer.concat([(await g.record()).subarray(0, 49), (await g.record()).subarray(66)]))
  t.equal(await g.outcome(await g.lose()), 'rollback', 'without a look-ahead the lost rotation cannot be told from a forgery')
})

t.test('Redis holds only hashes: no secret, no MAC, and the look-ahead is the hash of a secret no client holds yet', async (t) => {
  const f = await family(t)
  const { held, recovered } = await f.recover()
  const record = await f.record()
  const dump = Buffer.concat([record, ...(await f.redis.hvalsBuffer(f.key))])
  for (const token of [f.user.refreshToken, held, recovered]) {
    const secret = part(token, 4)
    t.notOk(dump.includes(secret) || dump.includes(Buffer.from(secret, 'base64url')), 'no secret, as text or as bytes')
    t.notOk(dump.includes(part(token, 5)) || dump.includes(Buffer.from(part(token, 5), 'base64url')), 'no MAC')
  }
  const parsed = codec.parse(recovered)
  if (!parsed.ok) throw new Error('the recovered token parses')
  t.same(record.subarray(4, 20), hashSecret(part(recovered, 4)), 'h: the hash of the current secret')
  t.same(record.subarray(50, 66), hashSecret(codec.deriveSecret(parsed.token)), 'n: the hash of the next one, which only the server key and the current token yield')
  t.equal(record.subarray(66, 67).toString(), 'P', 'one hand-out counted (pd)')
  const meta = record.subarray(68).toString()
  t.match(meta, /^127\.0\.0\.1 /, 'then the metadata')
  t.equal(record.length, 68 + meta.length, 'a live record: 49 fixed bytes, 17 of look-ahead, the mark (and pd) and the metadata')
})