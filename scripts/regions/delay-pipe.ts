// One direction of a proxied connection: every chunk read from `source` is written to `dest` `delayMs()` after it
// arrived. Each chunk carries its own due time, so a stream of chunks is delayed, not slowed: throughput is that of
// the sockets, and only the first byte of a burst waits the whole latency. Due times never go backwards (a latency
// lowered mid-stream cannot overtake bytes already waiting), which keeps the byte order.
import { performance } from 'node:perf_hooks'
import type { Socket } from 'node:net'

export interface DelayPipe {
  /** Re-read held() and resume: call it after a heal (or any change of the link). */
  update (): void
  /** Chunks read but not yet written (held by a cut, or waiting for their due time). */
  queued (): number
}

interface Item { dueAtMs: number, chunk: Buffer | 'end' }

/**
 * Pipe `source` into `dest` with a delay. While `held()` is true nothing is written and `source` is paused, as a
 * partition would: the bytes stay in our queue and in the kernel's buffers (so memory stays bounded and the sender
 * eventually blocks, as on a real link), and flow again on update() once held() is false. The source's end (FIN)
 * travels in the queue like data, so it reaches `dest` after the last byte and no earlier than the latency.
 * `onBroken` is called when `dest` can no longer be written.
 */
export function delayPipe (source: Socket, dest: Socket, options: { delayMs: () => number, held: () => boolean, onBroken: () => void }): DelayPipe {
  const queue: Item[] = []
  let lastDueAtMs = 0
  let timer: NodeJS.Timeout | undefined
  let waitingForDrain = false

  const resumeIfFree = (): void => {
    if (!waitingForDrain && !options.held() && !source.destroyed) source.resume()
  }
  const schedule = (): void => {
    if (timer !== undefined || queue.length === 0 || options.held()) return
    const waitMs = queue[0]!.dueAtMs - performance.now()
    // Due already (no latency within a region): written now, not one timer tick later.
    if (waitMs <= 0) return flush()
    // At least 1 ms: the event loop's clock may be a little behind performance.now(), and a 0 ms wait would spin.
    timer = setTimeout(flush, Math.max(1, Math.ceil(waitMs)))
  }
  function flush (): void {
    timer = undefined
    if (options.held()) return
    const nowMs = performance.now()
    while (queue.length > 0 && queue[0]!.dueAtMs <= nowMs) {
      const { chunk } = queue.shift()!
      if (dest.destroyed) { options.onBroken(); return }
      if (chunk === 'end') { dest.end(); continue }
      if (!dest.write(chunk) && !waitingForDrain) {
        // Back-pressure: stop reading until the receiver catches up; what is already queued is still written.
        waitingForDrain = true
        source.pause()
        dest.once('drain', () => { waitingForDrain = false; resumeIfFree() })
      }
    }
    schedule()
  }
  const enqueue = (chunk: Buffer | 'end'): void => {
    lastDueAtMs = Math.max(lastDueAtMs, performance.now() + options.delayMs())
    queue.push({ dueAtMs: lastDueAtMs, chunk })
    schedule()
  }

  source.on('data', (chunk: Buffer) => enqueue(chunk))
  source.on('end', () => enqueue('end'))
  return {
    update () {
      if (options.held()) {
        source.pause()
        return
      }
      resumeIfFree()
      // Bytes held past their due time go out at once, still in order.
      if (timer === undefined) flush()
    },
    queued: () => queue.length
  }
}
