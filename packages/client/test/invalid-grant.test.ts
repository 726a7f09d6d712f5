// The one answer that ends a session: `invalid_grant` on refresh (RFC 6749 §5.2), here because the session was
// revoked elsewhere (another device's logout-all).
import t from 'tap'
import { createRotorClient, memoryStorage, REFRESH_TOKEN_KEY, SignedOutError } from '../src/index.js'
import { registerUser, startRotor } from './rotor.js'

t.test('signs out with reason invalid_grant when Rotor refuses the refresh token, and forgets it', async (t) => {
  const rotor = await startRotor(t)
  const user = await registerUser(rotor.url)
  const storage = memoryStorage()
  const client = createRotorClient({ baseUrl: rotor.url, delivery: 'body', storage })
  const elsewhere = createRotorClient({ baseUrl: rotor.url, delivery: 'body' })
  t.teardown(() => { client.close(); elsewhere.close() })
  const signedOut: { reason: string, fromOtherTab: boolean }[] = []
  client.on('signedOut', (event) => signedOut.push(event))
  await client.login(user.email, user.password)
  await elsewhere.login(user.email, user.password)
  await elsewhere.logoutAll()

  await t.rejects(client.refresh(), SignedOutError)
  t.same(signedOut, [{ reason: 'invalid_grant', fromOtherTab: false }])
  t.notOk(client.signedIn)
  t.equal(await storage.get(REFRESH_TOKEN_KEY), undefined, 'the dead refresh token is removed from the storage')
  await t.rejects(client.fetch('/me'), SignedOutError, 'no request goes out without a session')
  t.equal(signedOut.length, 1, 'signed out once')
})
