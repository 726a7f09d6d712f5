// Scenario 5: Redis memory per live session, on a Redis of its own so nothing else moves used_memory.
// Seed M users (one session each, user agent "rotor seed"), then delete every session key (the family hash and the
// per-user index zset) and read how much used_memory fell: that is the sessions' share, the user records (user hash,
// email index) staying put. Then give each user a new session with a real browser's user agent (over 64 bytes, so
// the family hash can no longer be a listpack) and read how much it rose. MEMORY USAGE of the keys of a sample of
// users is reported beside both (it leaves out the expires-dict entry and the key table's buckets).
import { Redis } from 'ioredis'
import { createKeyNames } from '../../src/key-names.js'
import { startRedisServer } from '../../src/redis-server.js'
import { seedUsers } from '../../src/seed/seed-users.js'
import { createRefreshTokenCodec } from '../../src/sessions/refresh-token.js'
import { createSessionStore } from '../../src/sessions/session-store.js'
import type { BenchContext } from '../context.js'
import { pinRunningProcess } from '../pinning.js'
import type { BenchResults, MemoryVariant } from '../types.js'

export const BROWSER_USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
const SAMPLE_USERS = 2000
const BATCH = 500

export async function runMemory (ctx: BenchContext): Promise<BenchResults['memory']> {
  const count = ctx.bench.memoryUsers
  const redisProcess = await startRedisServer()
  pinRunningProcess(redisProcess.process.pid!, ctx.pinning.serverCore)
  const redis = new Redis(redisProcess.url, { enableAutoPipelining: true })
  try {
    const { appConfig } = ctx
    const keys = createKeyNames(appConfig.redis.keyPrefix)
    ctx.log(`scenario 5: seeding ${count} users into a separate Redis`)
    const seeded = await seedUsers({ redis, config: appConfig, keySet: ctx.keySet, refreshSecret: ctx.refreshSecret }, { count, password: ctx.password })
    const users = seeded.users.map((u) => ({ userId: u.userId, familyId: u.sessionId }))
    const sample = users.filter((_, i) => i % Math.max(1, Math.floor(users.length / SAMPLE_USERS)) === 0)
    const sessionKeys = (u: { userId: string, familyId: string }) => [keys.family(u.userId, u.familyId), keys.families(u.userId)]

    const seedUsage = await memoryUsage(redis, sample.map(sessionKeys))
    const seedEncoding = await redis.object('ENCODING', keys.family(users[0]!.userId, users[0]!.familyId)) as string
    const withSeedSessions = await usedMemory(redis)
    for (let i = 0; i < users.length; i += BATCH) await redis.del(...users.slice(i, i + BATCH).flatMap(sessionKeys))
    const withoutSessions = await usedMemory(redis)

    ctx.log('scenario 5: one new session per user with a browser user agent')
    const sessions = createSessionStore({
      redis, keys, codec: createRefreshTokenCodec(ctx.refreshSecret), policy: appConfig.refresh, nowMs: Date.now
    })
    const browser: Array<{ userId: string, familyId: string }> = []
    for (let i = 0; i < users.length; i += BATCH) {
      const created = await Promise.all(users.slice(i, i + BATCH).map((u) => sessions.createFamily({ userId: u.userId, userAgent: BROWSER_USER_AGENT, ip: '203.0.113.7' })))
      for (const c of created) {
        if (!c.ok) throw new Error(`cannot create a session: ${c.reason}`)
        browser.push({ userId: c.issued.userId, familyId: c.issued.familyId })
      }
    }
    const withBrowserSessions = await usedMemory(redis)
    const browserSample = browser.filter((_, i) => i % Math.max(1, Math.floor(browser.length / SAMPLE_USERS)) === 0)
    const browserUsage = await memoryUsage(redis, browserSample.map(sessionKeys))
    const browserEncoding = await redis.object('ENCODING', keys.family(browser[0]!.userId, browser[0]!.familyId)) as string

    const result = {
      users: count,
      seedUserAgent: variant('rotor seed', seedEncoding, (withSeedSessions - withoutSessions) / count, seedUsage),
      browserUserAgent: variant(BROWSER_USER_AGENT, browserEncoding, (withBrowserSessions - withoutSessions) / count, browserUsage)
    }
    ctx.log(`  ${Math.round(result.browserUserAgent.usedMemoryDeltaPerSession)} B/session with a browser user agent (${browserEncoding}), ` +
      `${Math.round(result.seedUserAgent.usedMemoryDeltaPerSession)} B/session with the seed's (${seedEncoding})`)
    return result
  } finally {
    redis.disconnect()
    await redisProcess.stop()
  }
}

function variant (userAgent: string, familyEncoding: string, delta: number, usage: MemoryVariant['memoryUsage']): MemoryVariant {
  return { userAgentBytes: Buffer.byteLength(userAgent), familyEncoding, usedMemoryDeltaPerSession: delta, memoryUsage: usage }
}

/** used_memory once Redis has settled (a moment for incremental rehashing and lazy frees to finish). */
async function usedMemory (redis: Redis): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 300))
  const info = await redis.info('memory')
  return Number(/used_memory:(\d+)/.exec(info)?.[1])
}

/** Mean MEMORY USAGE (exact: SAMPLES 0) of each user's [family hash, index zset]. */
async function memoryUsage (redis: Redis, keyPairs: string[][]): Promise<MemoryVariant['memoryUsage']> {
  const sizes = await Promise.all(keyPairs.map(async ([family, index]) => [
    Number(await redis.call('MEMORY', 'USAGE', family!, 'SAMPLES', '0')),
    Number(await redis.call('MEMORY', 'USAGE', index!, 'SAMPLES', '0'))
  ]))
  const mean = (i: number) => sizes.reduce((sum, s) => sum + s[i]!, 0) / sizes.length
  return { familyHash: mean(0), indexZset: mean(1), perSession: mean(0) + mean(1), sampledUsers: sizes.length }
}
