// The client as openapi-fetch middleware (`client.use(rotor.middleware)`): the bearer on every request, and a
// `401 invalid_token` answered by one refresh and one retry of the same request, body included.
import t from 'tap'
import createClient from 'openapi-fetch'
import { createRotorClient } from '../src/index.js'
import { startFaultProxy } from './fault-proxy.js'
import { registerUser, startRotor } from './rotor.js'

/** The two operations used here, as openapi-typescript would generate them from openapi.yaml. */
interface Paths {
  '/me': { get: { responses: { 200: { content: { 'application/json': { id: string, email: string | null } } } } } }
  '/auth/password': {
    post: {
      requestBody: { content: { 'application/json': { current_password: string, new_password: string } } }
      responses: { 200: { content: { 'application/json': { access_token: string } } } }
    }
  }
}

t.test('attaches the bearer, and on 401 invalid_token refreshes once and retries the request with its body', async (t) => {
  const rotor = await startRotor(t, { manualTime: true })
  const proxy = await startFaultProxy(t, rotor.url)
  const user = await registerUser(rotor.url)
  const rotorClient = createRotorClient({ baseUrl: proxy.url, delivery: 'body' })
  t.teardown(() => rotorClient.close())
  await rotorClient.login(user.email, user.password)
  const api = createClient<Paths>({ baseUrl: proxy.url })
  api.use(rotorClient.middleware)

  const me = await api.GET('/me')
  t.equal(me.response.status, 200)
  t.equal(me.data?.email, user.email)
  t.equal(proxy.refreshes().length, 0)

  rotor.advanceMs(1_000_000) // past the access token's lifetime and leeway, on Rotor's clock only
  const again = await api.GET('/me')
  t.equal(again.response.status, 200, 'retried after one refresh')
  t.equal(proxy.refreshes().length, 1)

  rotor.advanceMs(1_000_000)
  const changed = await api.POST('/auth/password', { body: { current_password: user.password, new_password: 'an entirely different horse battery' } })
  t.equal(changed.response.status, 200, 'the retried POST carried its body')
  t.ok(changed.data?.access_token)
  t.equal(proxy.refreshes().length, 2)
})
