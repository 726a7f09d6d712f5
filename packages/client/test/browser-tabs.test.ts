// Several tabs of one origin in a real browser: a refresh in all of them at the same moment is one rotation (the Web
// Lock lets one tab rotate, the BroadcastChannel hands the result to the others), and a sign-out in one reaches all.
// "At the same moment": every tab's request is refused with 401 invalid_token at once (Rotor's clock moved past the
// token's expiry), so every tab wants a new token.
import t from 'tap'
import { inTab, startBrowserStack } from './browser.js'
import { eventually } from './rotor.js'

for (const count of [2, 5]) {
  t.test(`${count} tabs refreshing at the same moment cause one rotation, and all stay signed in`, async (t) => {
    const stack = await startBrowserStack(t, { manualTime: true })
    const tabs = await Promise.all(Array.from({ length: count }, () => stack.openTab()))
    await inTab.login(tabs[0]!, stack.user)
    for (const page of tabs) await eventually('every tab learnt the token', () => inTab.signedIn(page))
    t.equal(stack.proxy.refreshes().length, 0, 'the other tabs took the login\'s token from the channel')

    const before = await inTab.accessToken(tabs[0]!)
    stack.rotor.advanceMs(1_000_000)
    t.same(await Promise.all(tabs.map((page) => inTab.me(page))), Array(count).fill(200), 'every request succeeded on its retry')
    t.equal(stack.proxy.refreshes().length, 1, 'Rotor saw one rotation')
    const tokens = await Promise.all(tabs.map((page) => inTab.accessToken(page)))
    t.equal(new Set(tokens).size, 1, 'every tab holds the rotated access token')
    t.not(tokens[0], before)
    for (const page of tabs) t.notOk((await inTab.events(page)).some((e) => e.type === 'signedOut'), 'never signed out')
  })
}

t.test('a sign-out in one tab signs every tab out, by message, with no request of their own', async (t) => {
  const stack = await startBrowserStack(t)
  const tabs = await Promise.all(Array.from({ length: 3 }, () => stack.openTab()))
  await inTab.login(tabs[0]!, stack.user)
  for (const page of tabs) await eventually('every tab learnt the token', () => inTab.signedIn(page))
  const before = stack.proxy.exchanges.length

  await inTab.logout(tabs[2]!)
  for (const page of tabs) await eventually('every tab is signed out', async () => !(await inTab.signedIn(page)))
  t.same(stack.proxy.exchanges.slice(before).filter((e) => e.method !== 'OPTIONS').map((e) => e.path), ['/auth/logout'], 'one logout went to Rotor, nothing else')
  for (const [i, page] of tabs.entries()) {
    const signedOut = (await inTab.events(page)).filter((e) => e.type === 'signedOut')
    t.same(signedOut, [{ type: 'signedOut', reason: 'logout', fromOtherTab: i !== 2 }], `tab ${i + 1}`)
  }
  t.equal(await inTab.refresh(tabs[0]!), 'SignedOutError', 'the cookie is gone for every tab')
})
