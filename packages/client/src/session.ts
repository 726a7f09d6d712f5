// The session as this client knows it: the access token in memory, its expiry on the server's clock, and the timer of
// the proactive refresh. Every change goes through here, whether this tab or another one made it.
import { refreshDelayMs, type ServerClock } from './clock.js'
import type { Emitter, SignOutReason } from './events.js'
import type { Grant } from './transport.js'
import type { TabSync } from './tab-sync.js'

export interface SessionOptions {
  clock: ServerClock
  emitter: Emitter
  tabs: () => TabSync
  refreshAheadMs: number
  random: () => number
  /** Runs the proactive refresh (errors are the refresher's to report). */
  refresh: () => Promise<void>
  /** Forget the stored refresh token (body delivery). */
  forget: () => Promise<void>
}

export interface Session {
  readonly accessToken: string | undefined
  readonly sessionId: string | undefined
  /** Bumped by every new access token, here or from another tab. */
  readonly version: number
  /** Bumped by every sign-out: a rotation that began before one must not sign the user back in. */
  readonly signOuts: number
  /** Whether the access token is past its expiry on the server's clock. */
  expired (): boolean
  /** A new token; from another tab with that tab's estimate of the server's time when it sent it. */
  accept (grant: Pick<Grant, 'accessToken' | 'sessionId' | 'expiresAtServerMs'>, how: 'signed_in' | 'refreshed' | 'other_tab', senderServerNowMs?: number): void
  signOut (reason: SignOutReason, fromOtherTab?: boolean): Promise<void>
  /** Run the proactive refresh after `ms` instead (a back-off). */
  retryIn (ms: number): void
  close (): void
}

export function createSession (options: SessionOptions): Session {
  const { clock, emitter } = options
  let accessToken: string | undefined
  let sessionId: string | undefined
  let expiresAtServerMs = 0
  let version = 0
  let signOuts = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  function cancel (): void {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  function runIn (ms: number): void {
    cancel()
    timer = setTimeout(() => { timer = undefined; void options.refresh() }, ms)
    // In Node a pending refresh must not keep a finished process alive.
    ;(timer as { unref?: () => void }).unref?.()
  }

  function schedule (): void {
    const inMs = refreshDelayMs({ expiresAtServerMs, serverNowMs: clock.nowMs(), aheadMs: options.refreshAheadMs, random: options.random() })
    runIn(inMs)
    emitter.emit('refreshScheduled', { inMs })
  }

  return {
    get accessToken () { return accessToken },
    get sessionId () { return sessionId },
    get version () { return version },
    get signOuts () { return signOuts },
    expired: () => accessToken === undefined || clock.nowMs() >= expiresAtServerMs,
    accept (grant, how, senderServerNowMs) {
      // A tab that never heard from Rotor itself takes the sender's estimate of the server's time.
      if (senderServerNowMs !== undefined) clock.adopt(senderServerNowMs)
      const wasSignedIn = accessToken !== undefined
      accessToken = grant.accessToken
      sessionId = grant.sessionId
      expiresAtServerMs = grant.expiresAtServerMs
      version++
      schedule()
      if (how !== 'other_tab') options.tabs().post({ type: 'token', accessToken: grant.accessToken, sessionId: grant.sessionId, expiresAtServerMs, serverNowMs: clock.nowMs() })
      if (how === 'signed_in' || !wasSignedIn) emitter.emit('signedIn', { sessionId: grant.sessionId })
      else emitter.emit('tokenRefreshed', { sessionId: grant.sessionId, fromOtherTab: how === 'other_tab' })
    },
    async signOut (reason, fromOtherTab = false) {
      cancel()
      const wasSignedIn = accessToken !== undefined
      accessToken = undefined
      sessionId = undefined
      expiresAtServerMs = 0
      version++
      signOuts++
      if (!fromOtherTab) {
        options.tabs().post({ type: 'signed_out', reason })
        await options.forget()
      }
      if (wasSignedIn || !fromOtherTab) emitter.emit('signedOut', { reason, fromOtherTab })
    },
    retryIn: runIn,
    close: cancel
  }
}
