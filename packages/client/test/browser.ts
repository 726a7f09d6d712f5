// Real tabs for the browser tests: Debian's chromium driven by playwright-core, the example SPA on its own origin,
// and a real Rotor behind the fault proxy, with the refresh token in its cookie (COOKIE_SECURE=false: plain HTTP on
// loopback, so the cookie is `rotor_refresh` without the __Secure- prefix, which browsers only accept over HTTPS).
import tap from 'tap'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startFaultProxy, type FaultProxy } from './fault-proxy.js'
import { registerUser, startRotor, type RunningRotor, type Test } from './rotor.js'
import { startSpaServer } from './spa-server.js'

const NAMES = ['chromium', 'chromium-browser', 'google-chrome']

/** The browser binary: CHROMIUM_PATH, else the first of NAMES on PATH. Missing is a failure, never a skip. */
export function chromiumPath (): string {
  const explicit = process.env.CHROMIUM_PATH
  if (explicit !== undefined && explicit !== '') return explicit
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES) if (dir !== '' && existsSync(join(dir, name))) return join(dir, name)
  }
  throw new Error('chromium is not installed: the browser tests need it (Debian: apt-get install chromium; or set CHROMIUM_PATH)')
}

/** What the page exposes as window.rotorTab (examples/spa/app.js). */
export interface TabEvent { type: string, reason?: string, fromOtherTab?: boolean, inMs?: number, status?: number }

export interface BrowserStack {
  proxy: FaultProxy
  rotor: RunningRotor
  user: { email: string, password: string }
  context: BrowserContext
  /** Open the SPA in a new tab of the one browser context (shared cookies, locks and channels: one origin). */
  openTab (options?: { params?: Record<string, string>, clockSkewMs?: number }): Promise<Page>
}

let browser: Promise<Browser> | undefined

export async function startBrowserStack (t: Test, options: { env?: Record<string, string>, manualTime?: boolean } = {}): Promise<BrowserStack> {
  const spaOrigin = await startSpaServer(t)
  const rotor = await startRotor(t, { env: { COOKIE_SECURE: 'false', ALLOWED_ORIGINS: spaOrigin, ...options.env }, manualTime: options.manualTime })
  const proxy = await startFaultProxy(t, rotor.url)
  const user = await registerUser(rotor.url)
  if (browser === undefined) {
    browser = chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] })
    // One browser per test file, closed with it; each test gets its own context (cookies, storage, locks).
    tap.teardown(async () => { await (await browser)?.close() })
  }
  const context = await (await browser).newContext()
  t.teardown(() => context.close())
  return {
    proxy,
    rotor,
    user,
    context,
    async openTab ({ params = {}, clockSkewMs } = {}) {
      const page = await context.newPage()
      if (clockSkewMs !== undefined) await page.addInitScript({ content: skewClockScript(clockSkewMs) })
      const query = new URLSearchParams({ rotor: proxy.url, ...params })
      await page.goto(`${spaOrigin}/?${query.toString()}`)
      await page.waitForFunction(`${TAB} !== undefined`)
      return page
    }
  }
}

/**
 * Runs in the page before its scripts: its clock (Date) is off by `offsetMs`, as a misset device clock is. Scripts
 * go to the page as source text (a compiled function could reference helpers the page does not have).
 */
function skewClockScript (offsetMs: number): string {
  return `{
    const RealDate = Date
    const offset = ${Number(offsetMs)}
    class SkewedDate extends RealDate {
      constructor (...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args) }
      static now () { return RealDate.now() + offset }
    }
    globalThis.Date = SkewedDate
  }`
}

const TAB = 'window.rotorTab'

/** What the page does, as source text evaluated in it. */
export const inTab = {
  login: (page: Page, user: { email: string, password: string }) =>
    page.evaluate<void>(`${TAB}.client.login(${JSON.stringify(user.email)}, ${JSON.stringify(user.password)})`),
  /** Refresh; resolves to 'ok' or the error's name, so a test sees what the page saw. */
  refresh: (page: Page) => page.evaluate<string>(`${TAB}.client.refresh().then(() => 'ok', (err) => err.name)`),
  logout: (page: Page) => page.evaluate<void>(`${TAB}.client.logout()`),
  accessToken: (page: Page) => page.evaluate<string | null>(`${TAB}.client.signedIn ? ${TAB}.client.getAccessToken() : null`),
  signedIn: (page: Page) => page.evaluate<boolean>(`${TAB}.client.signedIn`),
  events: (page: Page) => page.evaluate<TabEvent[]>(`${TAB}.events`),
  /** GET /me from the page, as the app does: the status. */
  me: (page: Page) => page.evaluate<number>(`${TAB}.client.fetch(${TAB}.rotorUrl + '/me').then((r) => r.status)`)
}
