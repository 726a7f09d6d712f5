// The revocation race: a refresh and a logout-all released together. Whichever the store runs first, once
// logout-all has returned no token of that user works anywhere (after the feed's propagation, well under 1 s).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, buildTestApp, json, login, refresh, register, uniquePrefix } from './helper.js'

const ROUNDS = 100

async function rejectedWithin (app: FastifyInstance, accessToken: string, withinMs: number): Promise<boolean> {
  const start = Date.now()
  do {
    if ((await app.inject({ url: '/me', headers: bearer(accessToken) })).statusCode === 401) return true
    await new Promise((resolve) => setTimeout(resolve, 5))
  } while (Date.now() - start <= withinMs)
  return false
}

t.test(`leaves no working token after logout-all races a refresh (${ROUNDS} rounds, two instances)`, async (t) => {
  // Only the live feed can reject within the bound below: the resync is a minute away.
  const env = { REDIS_KEY_PREFIX: uniquePrefix(), REVOCATION_RESYNC_INTERVAL_MS: '60000' }
  const a = await buildTestApp(t, { env })
  const b = await buildTestApp(t, { env })
  let refreshWon = 0
  let survivors = 0
  // One account, a new login per round: logout-all ends every earlier session, so each round starts from one.
  const { email } = await register(a)
  for (let round = 0; round < ROUNDS; round++) {
    const { access_token: accessToken, refresh_token: refreshToken } = json<{ access_token: string, refresh_token: string }>(await login(a, email))
    const user = { accessToken, refreshToken }
    // Stagger the start by 0-9 ms, alternating which side waits, so both orders reach the store over the rounds.
    const lag = (side: number) => new Promise((resolve) => setTimeout(resolve, round % 2 === side ? round % 10 : 0))
    const [rotated, loggedOut] = await Promise.all([
      lag(0).then(() => refresh(b, user.refreshToken)),
      lag(1).then(() => a.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) }))
    ])
    if (loggedOut.statusCode !== 204) { survivors++; continue }
    const accessTokens = [user.accessToken]
    const refreshTokens = [user.refreshToken]
    if (rotated.statusCode === 200) {
      refreshWon++
      const body = json<{ access_token: string, refresh_token: string }>(rotated)
      accessTokens.push(body.access_token)
      refreshTokens.push(body.refresh_token)
    }
    // The instance that ran logout-all refuses at once; the other as soon as the broadcast lands.
    for (const token of accessTokens) {
      if ((await a.inject({ url: '/me', headers: bearer(token) })).statusCode !== 401) survivors++
      if (!(await rejectedWithin(b, token, 20_000))) survivors++
    }
    for (const token of refreshTokens) if ((await refresh(b, token)).statusCode !== 400) survivors++
  }
  t.equal(survivors, 0, 'no access or refresh token outlived logout-all')
  t.comment(`refresh ran first in ${refreshWon} of ${ROUNDS} rounds`)
})
