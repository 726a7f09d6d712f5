// createRotorClient: login, logout, authenticated fetch and the events, put together from the session, the
// refresher and the tab coordination.
import { createServerClock } from './clock.js'
import { RotorError, SignedOutError, TemporarilyUnavailableError } from './errors.js'
import { createEmitter, type Listener, type RotorEvents } from './events.js'
import { createAuthorizedFetch, createMiddleware, type RotorMiddleware } from './authorized-fetch.js'
import { DEFAULTS, type RotorClientOptions } from './options.js'
import { createRefresher } from './refresher.js'
import { createSession } from './session.js'
import { memoryStorage, REFRESH_TOKEN_KEY } from './storage.js'
import { browserTabApis, createTabSync, singleTab, type TabMessage, type TabSync } from './tab-sync.js'
import { post, tokenOutcome, type TransportOptions } from './transport.js'

export interface RotorClient {
  /** Sign in with email and password (Rotor's POST /auth/token). Rejects with RotorError `invalid_grant` on wrong ones. */
  login (email: string, password: string): Promise<void>
  /** End this session at Rotor and here, and in every other tab; signs out locally even when Rotor is unreachable. */
  logout (): Promise<void>
  /** End every session of the user (POST /auth/logout-all). Rejects, still signed in, when Rotor could not do it. */
  logoutAll (): Promise<void>
  /** fetch with the bearer attached; a `401 invalid_token` refreshes once and retries the request once. */
  fetch (input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** A valid access token, refreshed first when needed. Rejects with SignedOutError or TemporarilyUnavailableError. */
  getAccessToken (): Promise<string>
  /**
   * Rotate now, e.g. for fresh claims (single flight: joins a rotation already in flight, here or, once it holds
   * the lock, one that another tab just made). Rejects with
   * SignedOutError when the session is gone, TemporarilyUnavailableError when Rotor cannot be reached (retried later).
   */
  refresh (): Promise<void>
  /** Resume a session from the cookie or the stored refresh token: true when signed in. */
  resume (): Promise<boolean>
  /** The openapi-fetch middleware: `client.use(rotor.middleware)`. */
  readonly middleware: RotorMiddleware
  readonly signedIn: boolean
  on <K extends keyof RotorEvents>(name: K, listener: Listener<K>): () => void
  /** Stop timers and leave the tab channel. */
  close (): void
}

export function createRotorClient (options: RotorClientOptions): RotorClient {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const storage = options.storage ?? memoryStorage()
  const transport: TransportOptions = {
    baseUrl: options.baseUrl,
    delivery: options.delivery,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    clock: createServerClock(now),
    localNowMs: now,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs
  }
  const emitter = createEmitter()
  let tabs: TabSync = singleTab
  const session = createSession({
    clock: transport.clock,
    emitter,
    tabs: () => tabs,
    refreshAheadMs: (options.refreshAheadSeconds ?? DEFAULTS.refreshAheadSeconds) * 1000,
    random,
    refresh: () => refresher.refresh().catch(() => {}), // reported through the events
    forget: () => storage.remove(REFRESH_TOKEN_KEY)
  })
  const refresher = createRefresher({ transport, storage, session, tabs: () => tabs, emitter, random })

  const apis = (options.crossTab ?? (globalThis as { document?: unknown }).document !== undefined)
    ? browserTabApis(`rotor:${options.baseUrl}`)
    : undefined
  if (apis !== undefined) {
    tabs = createTabSync({
      name: `rotor-refresh:${options.baseUrl}`,
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULTS.lockTimeoutMs,
      random,
      ...apis,
      onMessage: (message: TabMessage) => {
        if (message.type === 'token') session.accept(message, 'other_tab', message.serverNowMs)
        else if (message.type === 'signed_out') void session.signOut(message.reason, true)
      }
    })
  }

  async function getAccessToken (): Promise<string> {
    if (session.accessToken !== undefined && !session.expired()) return session.accessToken
    await refresher.refresh()
    if (session.accessToken === undefined) throw new SignedOutError()
    return session.accessToken
  }

  const authorized = createAuthorizedFetch({
    baseUrl: options.baseUrl,
    fetch: transport.fetch,
    getAccessToken,
    // Refresh only if nobody replaced the refused token meanwhile (another request or tab already did).
    refreshAfter: async (refused) => { if (session.accessToken === refused || session.accessToken === undefined) await refresher.refresh() }
  })

  async function login (email: string, password: string): Promise<void> {
    const { response, outcome: lost } = await post(transport, '/auth/token', { email, password, refresh_delivery: options.delivery })
    // A login is not retried by itself: a second one would open a second session.
    const outcome = lost ?? await tokenOutcome(transport, response!)
    if (outcome.kind === 'lost') throw new TemporarilyUnavailableError(`Rotor did not answer the login: ${outcome.message}`, outcome.status, 1000)
    if (outcome.kind === 'unavailable') throw new TemporarilyUnavailableError('Rotor cannot take the login now', outcome.status, outcome.retryAfterMs ?? 1000, outcome.code)
    if (outcome.kind === 'invalid_grant') throw new RotorError('Invalid email or password', 400, 'invalid_grant')
    if (outcome.kind === 'refused') throw outcome.error
    if (options.delivery === 'body') await storage.set(REFRESH_TOKEN_KEY, outcome.grant.refreshToken ?? '')
    session.accept(outcome.grant, 'signed_in')
  }

  async function logout (): Promise<void> {
    session.close()
    await refresher.settled()
    const stored = options.delivery === 'body' ? await storage.get(REFRESH_TOKEN_KEY) : undefined
    const body = typeof stored === 'string' && stored !== '' ? { refresh_token: stored } : undefined
    // Best effort: the token dies with the family at Rotor; if Rotor is unreachable it is forgotten here anyway.
    await post(transport, '/auth/logout', body, body === undefined && options.delivery === 'body' ? session.accessToken : undefined)
    await session.signOut('logout')
  }

  async function logoutAll (): Promise<void> {
    const response = await authorized.fetch(new URL('auth/logout-all', `${options.baseUrl.replace(/\/$/, '')}/`), {
      method: 'POST', cache: 'no-store', ...(options.delivery === 'cookie' ? { credentials: 'include', headers: { 'x-requested-with': 'XMLHttpRequest' } } : {})
    })
    if (response.status === 429 || response.status >= 500) throw new TemporarilyUnavailableError('Rotor could not end the sessions now', response.status, 1000)
    if (response.status !== 204) throw new RotorError(`Rotor answered ${response.status} to logout-all`, response.status)
    await session.signOut('logout_all')
  }

  return {
    login,
    logout,
    logoutAll,
    fetch: authorized.fetch,
    getAccessToken,
    refresh: () => refresher.refresh(),
    resume: async () => {
      try { await getAccessToken(); return true } catch (err) { if (err instanceof SignedOutError) return false; throw err }
    },
    middleware: createMiddleware(authorized, getAccessToken),
    get signedIn () { return session.accessToken !== undefined },
    on: (name, listener) => emitter.on(name, listener),
    close: () => { session.close(); tabs.close() }
  }
}
