// A real browser with cookie delivery through the failures a network and a balancer cause: the answer of a rotation
// lost after Rotor rotated (its Set-Cookie lost with it), Rotor answering 503 or unreachable for a while, and page
// clocks minutes off. None of them signs the user out.
import t from 'tap'
import { inTab, startBrowserStack } from './browser.js'
import { eventually } from './rotor.js'

t.test('a rotation whose answer is lost is retried with the same cookie and gets the same successor', async (t) => {
  const stack = await startBrowserStack(t)
  const page = await stack.openTab()
  await inTab.login(page, stack.user)
  stack.proxy.fail('/auth/refresh', 'drop_after_answer')
  t.equal(await inTab.refresh(page), 'ok')
  const [lost, retried] = stack.proxy.refreshes()
  t.equal(lost?.status, 200, 'Rotor had rotated')
  t.equal(lost?.delivered, false, 'but its answer and cookie never reached the browser')
  t.equal(retried?.status, 200, 'the retry, inside the grace window, was answered too')
  t.equal(await inTab.me(page), 200)
  t.equal(await inTab.refresh(page), 'ok', 'and the cookie the retry set rotates as usual')
  t.notOk((await inTab.events(page)).some((e) => e.type === 'signedOut'))
})

for (const fault of ['unavailable', 'unreachable'] as const) {
  t.test(`stays signed in while Rotor is ${fault === 'unavailable' ? 'answering 503' : 'unreachable'} for a while, and recovers by itself`, async (t) => {
    const stack = await startBrowserStack(t)
    const page = await stack.openTab()
    await inTab.login(page, stack.user)
    stack.proxy.fail('/auth/refresh', fault, 4)
    t.equal(await inTab.refresh(page), 'TemporarilyUnavailableError')
    t.ok(await inTab.signedIn(page), 'still signed in')
    t.equal(await inTab.me(page), 200, 'the access token in hand still works')
    await eventually('refreshed by itself once Rotor was back', async () => (await inTab.events(page)).some((e) => e.type === 'tokenRefreshed'))
    const events = await inTab.events(page)
    t.ok(events.some((e) => e.type === 'refreshDeferred'), 'the failures were reported as deferred')
    t.notOk(events.some((e) => e.type === 'signedOut'))
  })
}

t.test('tabs whose clocks are 5 minutes ahead and behind refresh before expiry, once, and never sign out', async (t) => {
  // 30 s tokens refreshed 20 s (plus jitter up to 10 s) before expiry: due within 10 s, on the server's clock.
  const stack = await startBrowserStack(t, { env: { ACCESS_TOKEN_TTL_SECONDS: '30' } })
  const params = { refreshAheadSeconds: '20' }
  const tabs = [
    await stack.openTab({ params, clockSkewMs: 5 * 60_000 }),
    await stack.openTab({ params, clockSkewMs: -5 * 60_000 }),
    await stack.openTab({ params })
  ]
  await inTab.login(tabs[0]!, stack.user)
  for (const page of tabs) await eventually('every tab learnt the token', () => inTab.signedIn(page))
  for (const [i, page] of tabs.entries()) {
    const [scheduled] = (await inTab.events(page)).filter((e) => e.type === 'refreshScheduled')
    // A tab that took the device clock for the server's would schedule at once (ahead) or minutes late (behind).
    t.ok(scheduled?.inMs !== undefined && scheduled.inMs > 0 && scheduled.inMs <= 15_000, `tab ${i + 1}: scheduled in ${scheduled?.inMs} ms`)
  }
  await eventually('a proactive refresh ran', () => stack.proxy.refreshes().length > 0)
  const rotated = stack.proxy.refreshes()[0]
  t.equal(rotated?.status, 200)
  for (const page of tabs) await eventually('every tab has the rotated token', async () => (await inTab.events(page)).some((e) => e.type === 'tokenRefreshed'))
  t.equal(stack.proxy.refreshes().length, 1, 'one rotation for the three tabs')
  for (const page of tabs) {
    t.equal(await inTab.me(page), 200)
    t.notOk((await inTab.events(page)).some((e) => e.type === 'signedOut'))
  }
})
