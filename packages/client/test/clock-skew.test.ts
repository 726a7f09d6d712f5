// A device clock minutes off must neither make the client refresh in a loop (clock ahead: every token looks expired)
// nor too late (clock behind: the token expires first, then the user is asked to sign in again). Expiry is tracked on
// the server's clock, estimated from the Date header of Rotor's answers (RFC 9110 §6.6.1).
import t from 'tap'
import { createRotorClient } from '../src/index.js'
import { startFaultProxy } from './fault-proxy.js'
import { eventually, registerUser, startRotor } from './rotor.js'

const ACCESS_TTL_SECONDS = 30
const AHEAD_SECONDS = 20

for (const skewMinutes of [5, -5]) {
  t.test(`schedules the proactive refresh before expiry with the device clock ${skewMinutes > 0 ? 'ahead' : 'behind'} by 5 minutes, and never signs out`, async (t) => {
    const rotor = await startRotor(t, { env: { ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL_SECONDS) } })
    const proxy = await startFaultProxy(t, rotor.url)
    const user = await registerUser(rotor.url)
    const client = createRotorClient({
      baseUrl: proxy.url,
      delivery: 'body',
      now: () => Date.now() + skewMinutes * 60_000,
      refreshAheadSeconds: AHEAD_SECONDS,
      random: () => 0
    })
    t.teardown(() => client.close())
    const scheduled: number[] = []
    const events: string[] = []
    client.on('refreshScheduled', ({ inMs }) => scheduled.push(inMs))
    client.on('tokenRefreshed', () => events.push('refreshed'))
    client.on('signedOut', ({ reason }) => events.push(`signedOut:${reason}`))
    await client.login(user.email, user.password)

    // Due 20 s before a 30 s expiry: about 10 s from now, whatever the device clock says (Date has 1 s resolution,
    // and the answer took some time to arrive).
    const [inMs] = scheduled
    t.ok(inMs !== undefined && inMs > 7_000 && inMs <= 10_500, `scheduled in ${inMs} ms`)
    const first = await client.getAccessToken()
    t.equal((await client.fetch('/me')).status, 200, 'the token is not taken for expired')
    t.equal(proxy.refreshes().length, 0, 'no refresh before it is due')

    await eventually('the proactive refresh ran', () => events.length > 0)
    t.same(events, ['refreshed'], 'refreshed, not signed out')
    t.equal(proxy.refreshes().length, 1, 'once')
    t.not(await client.getAccessToken(), first)
    t.equal((await client.fetch('/me')).status, 200)
    t.ok((scheduled[1] ?? 0) > 7_000, 'and the next one is scheduled before the new expiry, not at once')
  })
}
