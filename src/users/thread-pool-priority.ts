// Running libuv's thread pool (where argon2 hashes) at a lower OS priority than the event loop (where every token is
// validated). On an instance whose cores are fewer than its argon2 jobs plus one, a hash and the event loop take turns
// on one core at the scheduler's granularity, so a validation that arrives mid-slice waits for it; with the pool
// niced, Linux's scheduler lets the woken event loop preempt the hash at once (measured in docs/benchmarks.md, "Login
// storm"). Opt-in: niced threads also lose against every other process of the host at nice 0, so on a shared host
// without a CPU cgroup of its own a login flood beside other work would slow logins far more than validations gain.
import { readlink } from 'node:fs/promises'
import { setPriority } from 'node:os'

export interface PoolPriorityResult {
  /** Thread ids reniced; fewer than the pool's size when sampling did not reach every thread. */
  threads: number[]
  /** Why nothing was changed, when nothing was. */
  skipped?: string
}

const SAMPLE_BATCH = 64
const SAMPLE_ROUNDS = 50

/**
 * Finds the pool's threads by where its work runs: `/proc/thread-self` read by `fs.readlink` names the thread that ran
 * the call, and a batch of calls wakes every idle thread. libuv starts all of its threads at its first job, so the set
 * does not change afterwards.
 */
export async function setThreadPoolNice (nice: number, poolSize: number, platform = process.platform): Promise<PoolPriorityResult> {
  if (nice === 0) return { threads: [], skipped: 'nice 0: unchanged' }
  if (platform !== 'linux') return { threads: [], skipped: `per-thread priority is set on Linux only (platform ${platform})` }
  const seen = new Set<number>()
  for (let round = 0; round < SAMPLE_ROUNDS && seen.size < poolSize; round++) {
    const links = await Promise.all(Array.from({ length: SAMPLE_BATCH }, () => readlink('/proc/thread-self')))
    for (const link of links) seen.add(Number(link.slice(link.lastIndexOf('/') + 1)))
  }
  seen.delete(process.pid) // never the main thread, whatever a platform does with the pool
  for (const tid of seen) setPriority(tid, nice)
  return { threads: [...seen] }
}
