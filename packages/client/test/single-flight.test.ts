// One refresh in flight per client: many requests refused at once cause one rotation, and every one of them is
// retried with its result.
import t from 'tap'
import { createRotorClient, memoryStorage } from '../src/index.js'
import { startFaultProxy } from './fault-proxy.js'
import { registerUser, startRotor } from './rotor.js'

t.test('twenty requests refused at the same moment cause one rotation, and all of them succeed', async (t) => {
  const rotor = await startRotor(t, { manualTime: true })
  const proxy = await startFaultProxy(t, rotor.url)
  const user = await registerUser(rotor.url)
  const client = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage: memoryStorage() })
  t.teardown(() => client.close())
  let refreshed = 0
  client.on('tokenRefreshed', () => { refreshed++ })
  await client.login(user.email, user.password)
  rotor.advanceMs(1_000_000) // past the 900 s lifetime and the leeway: every request now carries an access token Rotor sees as expired

  const answers = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/me')))
  t.same(answers.map((r) => r.status), Array(20).fill(200), 'every request was retried with the new token')
  t.equal(proxy.refreshes().length, 1, 'Rotor saw one rotation')
  t.equal(refreshed, 1, 'one tokenRefreshed event')
})

t.test('concurrent getAccessToken calls on an expired token share one rotation', async (t) => {
  const rotor = await startRotor(t)
  const proxy = await startFaultProxy(t, rotor.url)
  const user = await registerUser(rotor.url)
  // The device clock jumps forward after login (the user set it, or the device slept through the lifetime): the client
  // now takes its token for expired, and every caller at once asks for a fresh one.
  let jumpMs = 0
  const client = createRotorClient({ baseUrl: proxy.url, delivery: 'body', now: () => Date.now() + jumpMs })
  t.teardown(() => client.close())
  await client.login(user.email, user.password)
  const first = await client.getAccessToken()
  jumpMs = 1_000_000
  const tokens = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken()))
  t.equal(new Set(tokens).size, 1, 'all callers got the same new token')
  t.not(tokens[0], first)
  t.equal(proxy.refreshes().length, 1, 'one rotation')
})
