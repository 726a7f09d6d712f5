// PASSWORD_HASH_THREAD_NICE: the libuv pool (argon2) runs below the event loop's priority when asked, and only then.
// Renices this test process's own pool threads (each test file runs in its own process).
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { getPriority } from 'node:os'
import argon2 from 'argon2'
import { loadConfig } from '../src/config.js'
import { setThreadPoolNice } from '../src/users/thread-pool-priority.js'
import { configError } from './config-assert.js'

/** Nice value of every thread of this process, from /proc (field 19 of stat, after the parenthesised name). */
function threadNices (): Map<number, number> {
  const out = new Map<number, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
  }
  return out
}

t.test('nice 0 changes nothing, and a platform other than Linux is left alone with the reason said', async (t) => {
  t.same(await setThreadPoolNice(0, 4), { threads: [], skipped: 'nice 0: unchanged' })
  const other = await setThreadPoolNice(19, 4, 'darwin')
  t.same(other.threads, [])
  t.match(other.skipped, /Linux only/)
  t.ok([...threadNices().values()].every((nice) => nice === 0), 'every thread still at nice 0')
})

t.test('on Linux every pool thread is reniced, the main thread is not, and argon2 still hashes', async (t) => {
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
  const result = await setThreadPoolNice(19, poolSize)
  t.equal(result.skipped, undefined)
  t.equal(result.threads.length, poolSize, 'found every thread of the pool')
  t.notOk(result.threads.includes(process.pid), 'not the main thread')
  for (const tid of result.threads) t.equal(getPriority(tid), 19, `thread ${tid} at nice 19`)
  t.equal(getPriority(), 0, 'the event loop keeps its priority')
  const nices = threadNices()
  t.equal(nices.get(process.pid), 0)
  const hash = await argon2.hash('a password for the niced pool', { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 })
  t.ok(await argon2.verify(hash, 'a password for the niced pool'), 'hashing works on the niced pool')
})

t.test('the setting is read from the environment, 0 by default, and out-of-range values stop the boot', async (t) => {
  const base = { NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:1' }
  t.equal(loadConfig(base).passwordHashing.threadNice, 0)
  t.equal(loadConfig({ ...base, PASSWORD_HASH_THREAD_NICE: '19' }).passwordHashing.threadNice, 19)
  for (const bad of ['20', '-1', 'low']) t.match(configError(t, { ...base, PASSWORD_HASH_THREAD_NICE: bad }), /PASSWORD_HASH_THREAD_NICE/)
})
