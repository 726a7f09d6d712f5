// An app whose log lines are captured (pino JSON, one per line), for tests of what is and is not logged.
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { redisUrl, REFRESH_SECRET, testKeySet, uniquePrefix, type Test } from './helper.js'

export async function appWithLogCapture (t: Test, options: { env?: Record<string, string>, level?: string, clock?: () => number, storeClock?: () => number } = {}): Promise<{ app: FastifyInstance, lines: string[] }> {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: await redisUrl(), REDIS_KEY_PREFIX: uniquePrefix(), ...options.env })
  const app = await buildApp({ config, keySet: await testKeySet(), refreshSecret: REFRESH_SECRET, clock: options.clock, storeClock: options.storeClock, logger: { level: options.level ?? 'info', stream } })
  t.teardown(() => app.close())
  return { app, lines }
}
