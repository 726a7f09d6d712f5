// Issue 10's promise end to end: a resource server that is not Rotor (the example, a real process using
// @rotor/verify) sees every kind of revocation made on either of two Rotor instances, through the revocation feed it
// discovered from the metadata. Deadlines are generous (busy hosts); the delay observed is reported, and
// `npm run bench` is where the one-second target is measured.
import t, { type Test as TapTest } from 'tap'
import type { FastifyInstance } from 'fastify'
import { freePort } from '../src/redis-server.js'
import { bearer, json, login, PASSWORD, refresh, registerAndLogin, type LoggedIn } from './helper.js'
import { feedApps } from './feed-helper.js'
import { startResourceServer, type ResourceServer } from './resource-server-process.js'

const port = await freePort()
const issuer = `http://127.0.0.1:${port}`
const [a, b] = await feedApps(t, 2, { JWT_ISSUER: issuer }, undefined, [port, 0])
const rs = await startResourceServer(t, issuer)

/** Resolves with the milliseconds until the resource server answers 401 for this token (it must at first be 200). */
async function rejectedAfter (t: TapTest, user: LoggedIn, revoke: () => Promise<void>): Promise<void> {
  t.equal(await rs.hello(user.accessToken), 200, 'accepted before')
  const start = Date.now()
  await revoke()
  let status = 200
  while (status === 200 && Date.now() - start < 20_000) status = await rs.hello(user.accessToken)
  t.equal(status, 401, `rejected by the resource server after ${Date.now() - start} ms`)
}

const post = (app: FastifyInstance, url: string, token: string, payload?: object) =>
  app.inject({ method: 'POST', url, headers: bearer(token), ...(payload !== undefined ? { payload } : {}) })

t.test('the resource server discovered keys and feed from the metadata and is live', async (t) => {
  const health = await rs.health()
  t.equal(health.status, 200)
  t.match(health.body, { state: 'live', feedDown: false })
})

for (const [name, on] of [['A', () => a!.app], ['B', () => b!.app]] as const) {
  t.test(`logout on ${name}: the session's token is rejected, another session of the user is not`, async (t) => {
    const app = on()
    const user = await registerAndLogin(app)
    const other = json<{ access_token: string }>(await login(app, user.email)).access_token
    await rejectedAfter(t, user, async () => { t.equal((await post(app, '/auth/logout', user.accessToken)).statusCode, 204) })
    t.equal(await rs.hello(other), 200, 'the other session lives on')
  })

  t.test(`logout-all on ${name}: every token of the user is rejected`, async (t) => {
    const app = on()
    const user = await registerAndLogin(app)
    const other = json<{ access_token: string }>(await login(app, user.email)).access_token
    await rejectedAfter(t, user, async () => { t.equal((await post(app, '/auth/logout-all', user.accessToken)).statusCode, 204) })
    t.equal(await rs.hello(other), 401)
  })

  t.test(`password change on ${name}: the old tokens are rejected`, async (t) => {
    const app = on()
    const user = await registerAndLogin(app)
    const other = json<{ access_token: string }>(await login(app, user.email)).access_token
    await rejectedAfter(t, { ...user, accessToken: other }, async () => {
      const res = await post(app, '/auth/password', user.accessToken, { current_password: PASSWORD, new_password: 'a brand new passphrase 2026' })
      t.equal(res.statusCode, 200, res.body)
    })
  })

  t.test(`admin disable on ${name}: the user's tokens are rejected`, async (t) => {
    const app = on()
    const admin = await registerAndLogin(app)
    await app.users.setRoles(admin.userId, ['admin'])
    const adminToken = json<{ access_token: string }>(await login(app, admin.email)).access_token
    const user = await registerAndLogin(app)
    await rejectedAfter(t, user, async () => {
      t.equal((await post(app, `/admin/users/${user.userId}/disable`, adminToken)).statusCode, 204)
    })
  })

  t.test(`reuse detection on ${name}: the family's tokens are rejected`, async (t) => {
    const app = on()
    const victim = await registerAndLogin(app)
    const rotated = json<{ access_token: string, refresh_token: string }>(await refresh(app, victim.refreshToken))
    await refresh(app, rotated.refresh_token) // the predecessor's grace ends: the next replay of it is reuse
    await rejectedAfter(t, { ...victim, accessToken: rotated.access_token }, async () => {
      t.equal((await refresh(app, victim.refreshToken)).statusCode, 400, 'reuse detected')
    })
  })
}

t.test('a resource server started after a revocation rejects that token (snapshot)', async (t) => {
  const user = await registerAndLogin(b!.app)
  t.equal((await post(b!.app, '/auth/logout-all', user.accessToken)).statusCode, 204)
  const late: ResourceServer = await startResourceServer(t, issuer)
  t.equal(await late.hello(user.accessToken), 401, 'rejected from its first request')
  await late.stop()
})
