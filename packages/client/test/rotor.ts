// A real Rotor for the client's tests: the root test harness's app (own redis-server, own key prefix) listening on a
// loopback port, and a user registered over HTTP.
import type { AddressInfo } from 'node:net'
import { buildTestApp, manualClock, PASSWORD, uniqueEmail, type Test } from '../../../test/helper.js'

export { PASSWORD, type Test }

export interface RunningRotor {
  url: string
  /** Moves Rotor's clock (access-token expiry, grace window) when started with `manualTime`. */
  advanceMs: (ms: number) => void
}

export async function startRotor (t: Test, options: { env?: Record<string, string>, manualTime?: boolean } = {}): Promise<RunningRotor> {
  const clock = options.manualTime === true ? manualClock() : undefined
  const app = await buildTestApp(t, { env: options.env, ...(clock === undefined ? {} : { clock: clock.now }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    advanceMs: (ms) => {
      if (clock === undefined) throw new Error('startRotor({ manualTime: true }) to move its clock')
      clock.advance(ms)
    }
  }
}

export async function registerUser (rotorUrl: string): Promise<{ email: string, password: string }> {
  const email = uniqueEmail()
  const res = await fetch(`${rotorUrl}/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD })
  })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`)
  return { email, password: PASSWORD }
}

/** Poll until `check` holds: generous, because a loaded 2-core host can take seconds for what takes milliseconds. */
export async function eventually (what: string, check: () => boolean | Promise<boolean>, deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${deadlineMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
