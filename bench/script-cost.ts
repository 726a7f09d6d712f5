// Redis-side cost of script calls, read from Redis's SLOWLOG with a threshold of 0 (every command is logged with the
// microseconds it ran inside Redis). Time spent queueing, on the network or in the client is not in the figure, so a
// busy machine moves it far less than a wall clock; callers still compare medians of several calls.
import type { Redis } from 'ioredis'
import { scriptSha, type ScriptName } from '../src/sessions/scripts.js'

/** Room for every call of one measurement (SLOWLOG keeps the latest N entries). */
const SLOWLOG_ENTRIES = 100_000

/**
 * Run `fn` with every command logged, then return the microseconds of each call of `script` on one of `keys` during
 * it, in order. Restores the server's slowlog settings afterwards. Meant for a Redis of the caller's own (test, bench).
 */
export async function scriptMicros (redis: Redis, script: ScriptName, keys: string[], fn: () => Promise<unknown>): Promise<number[]> {
  const wanted = new Set(keys)
  const [, threshold] = await redis.config('GET', 'slowlog-log-slower-than') as [string, string]
  const [, maxLen] = await redis.config('GET', 'slowlog-max-len') as [string, string]
  await redis.config('SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', String(SLOWLOG_ENTRIES))
  await redis.slowlog('RESET')
  try {
    await fn()
    const entries = await redis.slowlog('GET', -1) as Array<[number, number, number, string[]]>
    const sha = scriptSha(script)
    return entries
      .filter(([, , , args]) => args[0]?.toLowerCase() === 'evalsha' && args[1] === sha && wanted.has(args[3] ?? ''))
      .reverse() // SLOWLOG lists the newest first
      .map(([, , micros]) => micros)
  } finally {
    await redis.config('SET', 'slowlog-log-slower-than', threshold, 'slowlog-max-len', maxLen)
  }
}
