// Scenario 5: Redis memory per live session, on a Redis of its own so nothing else moves used_memory.
// Seed M users (one session each, user agent "rotor seed"), then delete every session (its field in the user hash)
// and read how much used_memory fell: that is the sessions' share, the user records (the rest of the user hash, the
// email index) staying put. Then give each user a new session with a real browser's user agent and read how much it
// rose. MEMORY USAGE of the user hash of a sample of users, with and without its session, is reported beside both.
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
    const userKeys = sample.map((u) => keys.user(u.userId))

    const seedWith = await meanMemoryUsage(redis, userKeys)
    const seedEncoding = await redis.object('ENCODING', keys.user(users[0]!.userId)) as string
    const withSeedSessions = await usedMemory(redis)
    for (let i = 0; i < users.length; i += BATCH) {
      await Promise.all(users.slice(i, i + BATCH).map((u) => redis.hdel(keys.user(u.userId), `f:${u.familyId}`)))
    }
    const withoutSessions = await usedMemory(redis)
    const without = await meanMemoryUsage(redis, userKeys)

    ctx.log('scenario 5: one new session per user with a browser user agent')
    const sessions = createSessionStore({
      redis, keys, codec: createRefreshTokenCodec(ctx.refreshSecret), policy: appConfig.refresh
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
    const browserWith = await meanMemoryUsage(redis, userKeys)
    const browserEncoding = await redis.object('ENCODING', keys.user(browser[0]!.userId)) as string
    const usage = (withSessions: number) => ({
      userHashWith: withSessions, userHashWithout: without, perSession: withSessions - without, sampledUsers: userKeys.length
    })

    const result = {
      users: count,
      seedUserAgent: variant('rotor seed', seedEncoding, (withSeedSessions - withoutSessions) / count, usage(seedWith)),
      browserUserAgent: variant(BROWSER_USER_AGENT, browserEncoding, (withBrowserSessions - withoutSessions) / count, usage(browserWith))
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

/** Mean MEMORY USAGE (exact: SAMPLES 0) of the given keys. */
async function meanMemoryUsage (redis: Redis, keyNames: string[]): Promise<number> {
  const sizes = await Promise.all(keyNames.map(async (key) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'))))
  return sizes.reduce((sum, size) => sum + size, 0) / sizes.length
}
