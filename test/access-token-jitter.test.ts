// Access-token lifetimes get a small random reduction (up to 5%), so a fleet's refreshes spread out.
import t from 'tap'
import { decodeJwt } from 'jose'
import { buildTestApp } from './helper.js'

t.test('shortens each access token by a random amount of at most 5% and reports it in expires_in', async (t) => {
  const app = await buildTestApp(t, { env: { ACCESS_TOKEN_TTL_SECONDS: '1000' } })
  const lifetimes = new Set<number>()
  for (let i = 0; i < 60; i++) {
    const { token, expiresIn } = await app.accessTokens.sign({ userId: 'u', roles: [], sessionId: 's', sessionVersion: 0 })
    const { iat, exp } = decodeJwt(token)
    t.equal(exp! - iat!, expiresIn, 'expires_in is the real lifetime')
    t.ok(expiresIn <= 1000 && expiresIn >= 950, `${expiresIn} s is within 5% below the TTL`)
    lifetimes.add(expiresIn)
  }
  t.ok(lifetimes.size > 5, `lifetimes vary (${lifetimes.size} distinct of 51 possible)`)
})
