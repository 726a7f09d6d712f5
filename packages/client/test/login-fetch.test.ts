// Signing in, authenticated requests and signing out against a real Rotor (body delivery, as in Node and mobile apps).
import t from 'tap'
import { createRotorClient, memoryStorage, RotorError, SignedOutError, REFRESH_TOKEN_KEY } from '../src/index.js'
import { startFaultProxy } from './fault-proxy.js'
import { registerUser, startRotor, type Test } from './rotor.js'

const ACCESS_TTL_MS = 900_000

async function signedInClient (t: Test) {
  const rotor = await startRotor(t, { manualTime: true })
  const proxy = await startFaultProxy(t, rotor.url)
  const user = await registerUser(rotor.url)
  const storage = memoryStorage()
  const client = createRotorClient({ baseUrl: proxy.url, delivery: 'body', storage })
  t.teardown(() => client.close())
  const events: string[] = []
  client.on('signedIn', () => events.push('signedIn'))
  client.on('tokenRefreshed', () => events.push('tokenRefreshed'))
  client.on('signedOut', ({ reason }) => events.push(`signedOut:${reason}`))
  await client.login(user.email, user.password)
  return { rotor, proxy, user, storage, client, events }
}

t.test('signs in, stores the refresh token and calls the API with the bearer', async (t) => {
  const { client, storage, events, user } = await signedInClient(t)
  t.same(events, ['signedIn'])
  t.ok(client.signedIn)
  t.match(await storage.get(REFRESH_TOKEN_KEY), /^v1\./, 'the refresh token is in the storage')
  const me = await client.fetch('/me')
  t.equal(me.status, 200)
  t.equal((await me.json() as { email: string }).email, user.email)
})

t.test('refreshes once and retries once when the API answers 401 invalid_token', async (t) => {
  const { client, rotor, proxy, events } = await signedInClient(t)
  const before = await client.getAccessToken()
  rotor.advanceMs(ACCESS_TTL_MS + 60_000) // Rotor now sees the token as expired; the client does not know yet
  const me = await client.fetch('/me')
  t.equal(me.status, 200, 'the retried request succeeded')
  t.equal(proxy.refreshes().length, 1, 'one rotation')
  t.not(await client.getAccessToken(), before, 'a new access token')
  t.same(events, ['signedIn', 'tokenRefreshed'])
})

t.test('resends the body of a retried request', async (t) => {
  const { client, rotor, user } = await signedInClient(t)
  rotor.advanceMs(ACCESS_TTL_MS + 60_000)
  const res = await client.fetch('/auth/password', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ current_password: user.password, new_password: 'an entirely different horse battery' })
  })
  t.equal(res.status, 200, 'the password change went through after the refresh')
})

t.test('hands back a 401 that a refresh does not cure, after one refresh and one retry', async (t) => {
  const { client, proxy } = await signedInClient(t)
  proxy.fail('/me', 'refuse_token', Infinity)
  const res = await client.fetch('/me')
  t.equal(res.status, 401, 'the second refusal is the caller\'s to see')
  t.equal(proxy.refreshes().length, 1, 'one refresh, no loop')
  t.ok(client.signedIn, 'a refused access token does not end the session')
})

t.test('passes any other answer through untouched, with no refresh', async (t) => {
  const { client, proxy } = await signedInClient(t)
  const res = await client.fetch(new URL('/no/such/route', proxy.url))
  t.equal(res.status, 404)
  t.equal(proxy.refreshes().length, 0)
})

t.test('refuses a wrong password with invalid_grant and stays signed out', async (t) => {
  const rotor = await startRotor(t)
  const user = await registerUser(rotor.url)
  const client = createRotorClient({ baseUrl: rotor.url, delivery: 'body' })
  t.teardown(() => client.close())
  let signedIn = false
  client.on('signedIn', () => { signedIn = true })
  const err = await client.login(user.email, 'not the password at all').catch((e: unknown) => e)
  t.type(err, RotorError)
  t.equal((err as RotorError).code, 'invalid_grant')
  t.notOk(signedIn)
  t.rejects(client.getAccessToken(), SignedOutError)
})

t.test('logs out: the session dies at Rotor and the storage is emptied', async (t) => {
  const { client, storage, events, proxy } = await signedInClient(t)
  const refreshToken = await storage.get(REFRESH_TOKEN_KEY)
  await client.logout()
  t.same(events, ['signedIn', 'signedOut:logout'])
  t.equal(await storage.get(REFRESH_TOKEN_KEY), undefined)
  t.notOk(client.signedIn)
  const reused = await fetch(`${proxy.url}/auth/refresh`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: refreshToken })
  })
  t.equal((await reused.json() as { error: string }).error, 'invalid_grant', 'the old refresh token is dead')
  await t.rejects(client.fetch('/me'), SignedOutError)
})

t.test('logs out everywhere: every session of the user ends', async (t) => {
  const { client, events, user, proxy } = await signedInClient(t)
  const other = createRotorClient({ baseUrl: proxy.url, delivery: 'body' })
  t.teardown(() => other.close())
  await other.login(user.email, user.password)
  await client.logoutAll()
  t.same(events, ['signedIn', 'signedOut:logout_all'])
  const reasons: string[] = []
  other.on('signedOut', ({ reason }) => reasons.push(reason))
  await t.rejects(other.fetch('/auth/sessions'), SignedOutError, 'the other session is refused at its next refresh')
  t.same(reasons, ['invalid_grant'])
})
