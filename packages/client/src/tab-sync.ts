// Coordination between the tabs of one origin: a Web Lock makes one of them rotate, a BroadcastChannel hands the new
// access token (and a sign-out) to the others, so N tabs cause one rotation, not N (a rotation the others repeated
// would be answered by the grace window, but would spend its replays and the rate limit). Feature-detected: where
// either API is missing (Node, old browsers) the client's own single flight is all there is.
import type { SignOutReason } from './events.js'

/** What a tab tells the others. */
export type TabMessage =
  /** serverNowMs: the sender's estimate of the server's time as it sent this (tabs may not share one clock). */
  | { type: 'token', accessToken: string, sessionId: string, expiresAtServerMs: number, serverNowMs: number }
  | { type: 'signed_out', reason: SignOutReason }

/** The parts of the Web Locks API used here (W3C Web Locks API). */
export interface LockManagerLike {
  request <T>(name: string, options: { signal?: AbortSignal, steal?: boolean }, callback: (lock: unknown) => Promise<T>): Promise<T>
}

/** The parts of BroadcastChannel used here (HTML Living Standard §9.5). */
export interface ChannelLike {
  postMessage (message: unknown): void
  onmessage: ((event: { data: unknown }) => void) | null
  close (): void
}

export interface TabSync {
  /** Run `work` while holding the refresh lock; waits at most the lock timeout, then steals the lock. */
  withLock <T>(work: () => Promise<T>): Promise<T>
  post (message: TabMessage): void
  close (): void
}

export interface TabSyncOptions {
  name: string
  /** Each wait lasts this long plus up to half as much at random, so tabs that wait together do not steal together. */
  lockTimeoutMs: number
  random: () => number
  locks: LockManagerLike
  channel: ChannelLike
  onMessage: (message: TabMessage) => void
}

/** The browser's Web Locks and BroadcastChannel, when this runtime has both. */
export function browserTabApis (name: string): { locks: LockManagerLike, channel: ChannelLike } | undefined {
  const scope = globalThis as { navigator?: { locks?: LockManagerLike }, BroadcastChannel?: new (name: string) => ChannelLike }
  const locks = scope.navigator?.locks
  if (locks === undefined || scope.BroadcastChannel === undefined) return undefined
  return { locks, channel: new scope.BroadcastChannel(name) }
}

/** How long a tab keeps the lock after its rotation, for its token message to reach the others first. */
const HOLD_AFTER_MS = 500

/** No other tabs: work runs at once. */
export const singleTab: TabSync = { withLock: (work) => work(), post: () => {}, close: () => {} }

export function createTabSync (options: TabSyncOptions): TabSync {
  const { locks, channel, name, lockTimeoutMs } = options
  channel.onmessage = (event) => { options.onMessage(event.data as TabMessage) }

  async function withLock <T>(work: () => Promise<T>): Promise<T> {
    // Wrapped: a promise resolved with a promise would wait for it.
    let started!: (running: { result: Promise<T> }) => void
    const running = new Promise<{ result: Promise<T> }>((resolve) => { started = resolve })
    // The lock is held HOLD_AFTER_MS past the work: the token message the work posted is then delivered before the
    // next tab gets the lock, so that tab finds the new token instead of rotating again. The caller does not wait.
    const hold = (): Promise<void> => {
      clearTimeout(timer)
      const result = work()
      started({ result })
      const release = () => new Promise<void>((resolve) => setTimeout(resolve, HOLD_AFTER_MS))
      return result.then(release, release)
    }
    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(), lockTimeoutMs * (1 + options.random() / 2))
    const granted = locks.request(name, { signal: timeout.signal }, hold)
    // Settles when the work starts or when the lock request fails; a lock stolen from us later leaves our work be.
    const first = await Promise.race([running, granted.then(() => ({ err: undefined }), (err: unknown) => ({ err }))])
    if ('result' in first) return await first.result
    if (!timeout.signal.aborted) throw first.err
    // The holder did not let go in time (a frozen or hung tab): take the lock from it. Its rotation, if it is still
    // in flight, and ours present the same token, and the grace window gives both the same successor.
    locks.request(name, { steal: true }, hold).catch((err: unknown) => { started({ result: Promise.reject(err) }) })
    return await (await running).result
  }

  return {
    withLock,
    post: (message) => { channel.postMessage(message) },
    close: () => { channel.onmessage = null; channel.close() }
  }
}
