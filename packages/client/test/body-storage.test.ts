// Body delivery's storage: the successor is stored before anything uses it, and a process that dies between Rotor's
// answer and the write, or between the write and the next use, resumes without losing the session: the store then
// holds the predecessor, which Rotor answers inside REFRESH_REUSE_GRACE_SECONDS with that same successor again.
import t from 'tap'
import { createRotorClient, memoryStorage, REFRESH_TOKEN_KEY, type TokenStorage } from '../src/index.js'
import { startFaultProxy } from './fault-proxy.js'
import { eventually, registerUser, startRotor, type Test } from './rotor.js'

/** A durable store (outliving a client, as a keychain outlives an app process) with a log of what was written. */
function recordingStorage (log: string[], durable = memoryStorage()): TokenStorage {
  return {
    get: (key) => durable.get(key),
    set: async (key, value) => { await durable.set(key, value); log.push(`stored ${value}`) },
    remove: (key) => durable.remove(key)
  }
}

async function setup (t: Test) {
  const rotor = await startRotor(t)
  const proxy = await startFaultProxy(t, rotor.url)
  const user = await registerUser(rotor.url)
  return { proxy, user }
}

t.test('stores the new refresh token before the new access token is used or the refresh reported', async (t) => {
  const { proxy, user } = await setup(t)
  const log: string[] = []
  const client = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage: recordingStorage(log) })
  t.teardown(() => client.close())
  client.on('tokenRefreshed', () => log.push('refreshed'))
  await client.login(user.email, user.password)
  await client.refresh()
  const me = await client.fetch('/me')
  t.equal(me.status, 200)
  await client.refresh()
  const [login, first, second] = proxy.exchanges.filter((e) => e.path === '/auth/token' || e.path === '/auth/refresh')
  const tokenOf = (body: string | undefined) => JSON.parse(body ?? '{}').refresh_token as string
  t.same(log, [
    `stored ${tokenOf(login?.body)}`,
    `stored ${tokenOf(first?.body)}`, 'refreshed',
    `stored ${tokenOf(second?.body)}`, 'refreshed'
  ], 'each token was durable before the client went on')
  t.equal(tokenOf(second?.requestBody), tokenOf(first?.body), 'the next rotation presented the stored successor')
})

t.test('resumes after a crash between Rotor\'s answer and the write, with the successor Rotor handed out', async (t) => {
  const { proxy, user } = await setup(t)
  const durable = memoryStorage()
  const first = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage: durable })
  await first.login(user.email, user.password)
  const predecessor = await durable.get(REFRESH_TOKEN_KEY)
  // The process dies during the write: the successor never reaches the store.
  const crashing = createRotorClient({
    baseUrl: proxy.url,
    delivery: 'body',
    storage: { ...durable, set: () => new Promise<void>(() => {}) }
  })
  void crashing.refresh()
  t.teardown(() => { first.close(); crashing.close() })
  await eventually('Rotor answered the refresh', () => proxy.refreshes().length > 0)
  t.equal(await durable.get(REFRESH_TOKEN_KEY), predecessor, 'the store still holds the predecessor')

  const restarted = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage: durable })
  t.teardown(() => restarted.close())
  t.equal(await restarted.resume(), true, 'the restarted app is signed in')
  const [lost, resumed] = proxy.refreshes()
  t.equal(JSON.parse(resumed?.body ?? '{}').refresh_token, JSON.parse(lost?.body ?? '{}').refresh_token, 'the same successor again')
  t.equal(await durable.get(REFRESH_TOKEN_KEY), JSON.parse(lost?.body ?? '{}').refresh_token, 'now stored')
  t.equal((await restarted.fetch('/me')).status, 200)
})

t.test('resumes after a crash between the write and the next use, with the stored successor', async (t) => {
  const { proxy, user } = await setup(t)
  const durable = memoryStorage()
  const first = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage: durable })
  await first.login(user.email, user.password)
  await first.refresh()
  first.close() // the process dies with the successor stored and never used
  const restarted = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage: durable })
  t.teardown(() => restarted.close())
  t.equal(await restarted.resume(), true)
  const [stored, resumed] = proxy.refreshes()
  t.equal(JSON.parse(resumed?.requestBody ?? '{}').refresh_token, JSON.parse(stored?.body ?? '{}').refresh_token, 'the stored successor was presented')
  t.equal(resumed?.status, 200, 'and rotated as usual')
  t.equal((await restarted.fetch('/me')).status, 200)
})

t.test('keeps the session when the storage cannot write, and retries from the stored predecessor', async (t) => {
  const { proxy, user } = await setup(t)
  const durable = memoryStorage()
  let failWrites = false
  const client = createRotorClient({
    baseUrl: proxy.url,
    delivery: 'body',
    storage: { ...durable, set: async (key, value) => { if (failWrites) throw new Error('disk full'); await durable.set(key, value) } }
  })
  t.teardown(() => client.close())
  const signedOut: string[] = []
  client.on('signedOut', ({ reason }) => signedOut.push(reason))
  await client.login(user.email, user.password)
  failWrites = true
  await t.rejects(client.refresh(), { name: 'TemporarilyUnavailableError', code: 'storage_failed' })
  failWrites = false
  await client.refresh()
  const [unstored, retried] = proxy.refreshes()
  t.equal(JSON.parse(retried?.body ?? '{}').refresh_token, JSON.parse(unstored?.body ?? '{}').refresh_token, 'the grace window gave the same successor')
  t.same(signedOut, [])
  t.equal((await client.fetch('/me')).status, 200)
})
