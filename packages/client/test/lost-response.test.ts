// A refresh whose answer is lost after Rotor rotated: the client retries once with the same token, inside
// REFRESH_REUSE_GRACE_SECONDS, and Rotor hands out the same successor again, so the user stays signed in.
import t from 'tap'
import { createRotorClient, memoryStorage, REFRESH_TOKEN_KEY } from '../src/index.js'
import { startFaultProxy, type Fault } from './fault-proxy.js'
import { registerUser, startRotor } from './rotor.js'

const HOW: Record<string, string> = {
  drop_after_answer: 'a dropped connection',
  stall_after_answer: 'no answer before the client\'s timeout',
  gateway_502: 'a 502'
}

for (const fault of ['drop_after_answer', 'stall_after_answer', 'gateway_502'] satisfies Fault[]) {
  t.test(`retries a refresh met by ${HOW[fault]} after Rotor rotated, and gets the same successor`, async (t) => {
    const rotor = await startRotor(t)
    const proxy = await startFaultProxy(t, rotor.url)
    const user = await registerUser(rotor.url)
    const storage = memoryStorage()
    // Signed in by one client, refreshed by another on the same storage (an app restarted): the second's timeout is
    // short only so that a stalled answer is given up on soon (a login, with its password hashing, may take longer).
    const signIn = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage })
    await signIn.login(user.email, user.password)
    signIn.close()
    const client = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage, requestTimeoutMs: 3000 })
    t.teardown(() => client.close())
    const signedOut: string[] = []
    client.on('signedOut', ({ reason }) => signedOut.push(reason))
    const presented = await storage.get(REFRESH_TOKEN_KEY)

    proxy.fail('/auth/refresh', fault)
    await client.refresh()

    const [lost, retried] = proxy.refreshes()
    t.equal(proxy.refreshes().length, 2, 'one lost rotation, one retry')
    t.equal(lost?.status, 200, 'Rotor had rotated')
    t.equal(lost?.delivered, false, 'but the answer never reached the client')
    t.equal(JSON.parse(lost?.requestBody ?? '{}').refresh_token, presented)
    t.equal(JSON.parse(retried?.requestBody ?? '{}').refresh_token, presented, 'the retry presented the same token')
    const lostToken = JSON.parse(lost?.body ?? '{}').refresh_token as string
    t.equal(JSON.parse(retried?.body ?? '{}').refresh_token, lostToken, 'and got the same successor')
    t.equal(await storage.get(REFRESH_TOKEN_KEY), lostToken, 'which is stored')
    t.equal((await client.fetch('/me')).status, 200)
    t.same(signedOut, [], 'never signed out')
    t.ok(client.signedIn)
  })
}
