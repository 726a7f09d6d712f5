// Boot-time checks of the Redis it is given: Rotor's keys must never be evicted (sessions, revocations).
import t from 'tap'
import { Writable } from 'node:stream'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { startRedisServer } from '../src/redis-server.js'
import { REFRESH_SECRET, testKeySet, uniquePrefix, type Test } from './helper.js'

async function bootLog (t: Test, policy: string): Promise<Array<{ level: number, msg: string, policy?: string }>> {
  const redis = await startRedisServer({ args: ['--maxmemory-policy', policy] })
  t.teardown(() => redis.stop())
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() })
  const app = await buildApp({ config, keySet: await testKeySet(), refreshSecret: REFRESH_SECRET, logger: { level: 'warn', stream } })
  await app.ready()
  await app.close()
  return lines.map((l) => JSON.parse(l))
}

t.test('warns at boot when Redis may evict keys', async (t) => {
  const log = await bootLog(t, 'allkeys-lru')
  const warning = log.find((l) => /maxmemory-policy is not noeviction/.test(l.msg))
  t.ok(warning, 'a warning names the setting')
  t.equal(warning?.level, 40, 'at warn level')
  t.equal(warning?.policy, 'allkeys-lru', 'and says which policy is in force')
})

t.test('stays quiet when Redis runs with noeviction', async (t) => {
  const log = await bootLog(t, 'noeviction')
  t.same(log.filter((l) => /maxmemory-policy/.test(l.msg)), [])
})
