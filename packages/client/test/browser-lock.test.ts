// A tab that holds the refresh lock and never lets go (frozen, or its request hung) cannot block the others: they
// take the lock over after the lock timeout; and a tab closed while holding it releases it to them.
import t from 'tap'
import { inTab, startBrowserStack } from './browser.js'
import { eventually } from './rotor.js'

// The hung request must outlast the test: the held tab's own timeout is not what frees the others.
const PARAMS = { lockTimeoutMs: '2000', requestTimeoutMs: '120000' }

t.test('a tab whose refresh hangs holding the lock is overtaken after the lock timeout', async (t) => {
  const stack = await startBrowserStack(t)
  const [hung, waiting] = await Promise.all([stack.openTab({ params: PARAMS }), stack.openTab({ params: PARAMS })])
  await inTab.login(hung!, stack.user)
  await eventually('the second tab learnt the token', () => inTab.signedIn(waiting!))

  stack.proxy.fail('/auth/refresh', 'hold')
  const hungOutcome = inTab.refresh(hung!) // holds the lock while Rotor never answers
  await eventually('the hung refresh reached the proxy', () => stack.proxy.held === 1)
  t.equal(await inTab.refresh(waiting!), 'ok', 'the waiting tab stole the lock and refreshed')
  t.equal(stack.proxy.refreshes().length, 1, 'one rotation answered')
  await eventually('the hung tab got the new token by message', async () => await inTab.accessToken(hung!) === await inTab.accessToken(waiting!))
  t.equal(await inTab.me(waiting!), 200)
  t.ok(await inTab.signedIn(hung!), 'the hung tab stays signed in')
  for (const page of [hung!, waiting!]) t.notOk((await inTab.events(page)).some((e) => e.type === 'signedOut'))
  await hung!.close()
  await hungOutcome.catch(() => undefined) // its page is gone
})

t.test('a tab closed while holding the lock lets the others proceed, with one rotation between them', async (t) => {
  const stack = await startBrowserStack(t)
  const tabs = await Promise.all(Array.from({ length: 3 }, () => stack.openTab({ params: PARAMS })))
  const [closing, ...others] = tabs
  await inTab.login(closing!, stack.user)
  for (const page of others) await eventually('every tab learnt the token', () => inTab.signedIn(page))

  stack.proxy.fail('/auth/refresh', 'hold')
  void inTab.refresh(closing!).catch(() => undefined)
  await eventually('the closing tab holds the lock, its refresh hung', () => stack.proxy.held === 1)
  const waiting = others.map((page) => inTab.refresh(page))
  await closing!.close()
  t.same(await Promise.all(waiting), ['ok', 'ok'], 'both remaining tabs proceeded')
  t.equal(stack.proxy.refreshes().length, 1, 'one rotation between them')
  const tokens = await Promise.all(others.map((page) => inTab.accessToken(page)))
  t.equal(new Set(tokens).size, 1)
  t.same(await Promise.all(others.map((page) => inTab.me(page))), [200, 200])
})
