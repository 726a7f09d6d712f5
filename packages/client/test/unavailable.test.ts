// 429 and 5xx never sign anyone out: the client waits as Retry-After says (RFC 9110 §10.2.3, RFC 6585 §4) and
// recovers by itself; an unreachable Rotor is waited out the same way, with a growing back-off.
import t from 'tap'
import { createRotorClient, memoryStorage, TemporarilyUnavailableError } from '../src/index.js'
import { startFaultProxy, type Fault } from './fault-proxy.js'
import { eventually, registerUser, startRotor, type Test } from './rotor.js'

async function signedIn (t: Test, env?: Record<string, string>) {
  const rotor = await startRotor(t, { env })
  const proxy = await startFaultProxy(t, rotor.url)
  const user = await registerUser(rotor.url)
  const client = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage: memoryStorage(), random: () => 0 })
  t.teardown(() => client.close())
  const seen = { refreshed: 0, signedOut: [] as string[], deferred: [] as { status: number, retryAfterMs: number }[] }
  client.on('tokenRefreshed', () => { seen.refreshed++ })
  client.on('signedOut', ({ reason }) => seen.signedOut.push(reason))
  client.on('refreshDeferred', (event) => seen.deferred.push(event))
  await client.login(user.email, user.password)
  return { client, proxy, seen }
}

for (const fault of ['unavailable', 'unreachable'] satisfies Fault[]) {
  const what = fault === 'unavailable' ? 'answering 503 with Retry-After' : 'unreachable'
  t.test(`stays signed in while Rotor is ${what} for a while, and recovers by itself`, async (t) => {
    const { client, proxy, seen } = await signedIn(t)
    const token = await client.getAccessToken()
    // The first try and the lost-answer retry both fail, then the client's own retries, until the fault is lifted.
    proxy.fail('/auth/refresh', fault, 4)
    const err = await client.refresh().catch((e: unknown) => e)
    t.type(err, TemporarilyUnavailableError)
    if (fault === 'unavailable') {
      t.equal((err as TemporarilyUnavailableError).status, 503)
      t.equal((err as TemporarilyUnavailableError).retryAfterMs, 1000, 'waits as Retry-After says')
    }
    t.ok(client.signedIn, 'still signed in')
    t.equal(await client.getAccessToken(), token, 'the access token still in hand is still used')
    t.equal((await client.fetch('/me')).status, 200, 'and the API still answers')
    await eventually('the client refreshed by itself once Rotor was back', () => seen.refreshed === 1)
    t.ok(seen.deferred.length >= 1, 'each failed try was reported as deferred')
    t.ok(seen.deferred.every((d) => d.retryAfterMs >= 500), 'with a wait before the next')
    t.same(seen.signedOut, [], 'never signed out')
    t.not(await client.getAccessToken(), token, 'a new token once recovered')
  })
}

t.test('backs off on 429 by Rotor\'s Retry-After without signing out', async (t) => {
  const { client, proxy, seen } = await signedIn(t, { RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '1' })
  await client.refresh() // the one refresh this minute allows
  const token = await client.getAccessToken()
  const err = await client.refresh().catch((e: unknown) => e)
  t.type(err, TemporarilyUnavailableError)
  t.equal((err as TemporarilyUnavailableError).status, 429)
  const limited = proxy.refreshes().at(-1)
  t.equal(limited?.status, 429, 'Rotor itself refused')
  const retryAfterSeconds = Number(limited?.retryAfter)
  t.ok(retryAfterSeconds >= 1, `Rotor sent Retry-After: ${limited?.retryAfter}`)
  t.equal((err as TemporarilyUnavailableError).retryAfterMs, retryAfterSeconds * 1000, 'the client waits as long as Retry-After says')
  t.same(seen.deferred.map((d) => d.status), [429])
  t.same(seen.signedOut, [])
  t.ok(client.signedIn)
  t.equal(await client.getAccessToken(), token, 'the current token stays in use')
  t.equal((await client.fetch('/me')).status, 200)
})
