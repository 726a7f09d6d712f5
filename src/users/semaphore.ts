// A counting semaphore with a bounded wait queue. argon2 runs on libuv's thread pool (4 threads by default): more
// hashes at once only queue inside libuv, where they wait unbounded and hold memory (19 MiB each) and sockets. Here
// the wait is bounded instead, and a full queue is refused at once so the caller can answer a fast 503 (OWASP Denial
// of Service Cheat Sheet: bound queues, fail fast).

/** Thrown by `run` when every slot is busy and the queue is full; nothing was started. */
export class SemaphoreSaturatedError extends Error {
  override name = 'SemaphoreSaturatedError'
}

export interface Semaphore {
  /**
   * Run `task` when a slot is free: at once, or after waiting in the queue (first in, first out).
   * Throws SemaphoreSaturatedError without running it when `concurrency` tasks run and `queueMax` wait.
   */
  run<T> (task: () => Promise<T>): Promise<T>
  /** Tasks running and waiting now (for tests and diagnostics). */
  load (): { running: number, waiting: number }
}

export function createSemaphore (options: { concurrency: number, queueMax: number, name?: string }): Semaphore {
  const { concurrency, queueMax } = options
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer ≥ 1')
  if (!Number.isInteger(queueMax) || queueMax < 0) throw new RangeError('queueMax must be an integer ≥ 0')
  const waiting: Array<() => void> = []
  let running = 0

  const release = (): void => {
    const next = waiting.shift()
    // The slot passes straight to the next waiter, so `running` never drops and a newcomer cannot jump the queue.
    if (next !== undefined) next()
    else running--
  }

  return {
    async run (task) {
      if (running < concurrency) {
        running++
      } else if (waiting.length < queueMax) {
        await new Promise<void>((resolve) => waiting.push(resolve))
      } else {
        throw new SemaphoreSaturatedError(`${options.name ?? 'semaphore'} saturated: ${running} running, ${waiting.length} waiting`)
      }
      try {
        return await task()
      } finally {
        release()
      }
    },
    load: () => ({ running, waiting: waiting.length })
  }
}
