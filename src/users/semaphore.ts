// A counting semaphore with bounded admission. argon2 runs on libuv's thread pool: more hashes at once than there are
// cores to spare only queue inside libuv, where they wait unbounded and hold memory (19 MiB each) and sockets. Here
// at most `concurrency` tasks run and `queueMax` more may be admitted to wait; beyond that a caller is refused at
// once, so it can answer a fast 503 (OWASP Denial of Service Cheat Sheet: bound queues, fail fast).
// Admission can be taken early (`admit`), before any other work of the request: a login refused when the queue is
// full then costs no body parsing and no Redis round trip, and one admitted keeps its place while it does them.

/** Thrown by `admit` and `run` when `concurrency + queueMax` callers are admitted; nothing was started. */
export class SemaphoreSaturatedError extends Error {
  override name = 'SemaphoreSaturatedError'
}

/** One admitted caller: runs its tasks one slot at a time, and holds its admission until `release`. */
export interface Permit {
  /** Run `task` when a slot is free, first in first out. After `release`, admits afresh (and may be refused). */
  run<T> (task: () => Promise<T>): Promise<T>
  /** Give the admission back; idempotent. */
  release (): void
}

export interface Semaphore {
  /** Admit one caller, or throw SemaphoreSaturatedError at once when `concurrency + queueMax` are admitted. */
  admit (): Permit
  /** admit, run `task`, release: throws SemaphoreSaturatedError without running it when admission is full. */
  run<T> (task: () => Promise<T>): Promise<T>
  /** Tasks running, tasks waiting for a slot, callers admitted (for tests and diagnostics). */
  load (): { running: number, waiting: number, admitted: number }
}

export function createSemaphore (options: { concurrency: number, queueMax: number, name?: string }): Semaphore {
  const { concurrency, queueMax } = options
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer ≥ 1')
  if (!Number.isInteger(queueMax) || queueMax < 0) throw new RangeError('queueMax must be an integer ≥ 0')
  const waiting: Array<() => void> = []
  let running = 0
  let admitted = 0

  const release = (): void => {
    const next = waiting.shift()
    // The slot passes straight to the next waiter, so `running` never drops and a newcomer cannot jump the queue.
    if (next !== undefined) next()
    else running--
  }
  const inSlot = async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running++
    else await new Promise<void>((resolve) => waiting.push(resolve))
    try {
      return await task()
    } finally {
      release()
    }
  }

  const semaphore: Semaphore = {
    admit () {
      if (admitted >= concurrency + queueMax) {
        throw new SemaphoreSaturatedError(`${options.name ?? 'semaphore'} saturated: ${running} running, ${admitted - running} admitted waiting`)
      }
      admitted++
      let held = true
      return {
        run: (task) => held ? inSlot(task) : semaphore.run(task),
        release: () => { if (held) { held = false; admitted-- } }
      }
    },
    async run (task) {
      const permit = semaphore.admit()
      try {
        return await permit.run(task)
      } finally {
        permit.release()
      }
    },
    load: () => ({ running, waiting: waiting.length, admitted })
  }
  return semaphore
}
