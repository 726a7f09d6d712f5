// Logout (one refresh-token family) and logout-all (every family of the user): RFC 7009 §2.2 semantics, so an
// unknown or already-revoked token is still answered 204; OWASP ASVS 3.3.1 (logout invalidates the session) and
// 3.3.3 (terminate all other sessions).
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { createKeyNames } from '../src/key-names.js'
import { bearer, buildTestApp, json, login, rawRedis, refresh, registerAndLogin } from './helper.js'

const COOKIE = '__Secure-rotor_refresh'
const XRW = { 'x-requested-with': 'XMLHttpRequest' }
type Test = Pick<typeof t, 'equal'>

function logout (app: FastifyInstance, options: { payload?: object, headers?: Record<string, string>, cookie?: string } = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/auth/logout',
    headers: options.headers ?? {},
    ...(options.payload === undefined ? {} : { payload: options.payload }),
    ...(options.cookie === undefined ? {} : { cookies: { [COOKIE]: options.cookie } })
  })
}

async function secondLogin (app: FastifyInstance, email: string): Promise<{ refresh_token: string, access_token: string }> {
  const res = await login(app, email)
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  return json(res)
}

async function assertDead (t: Test, app: FastifyInstance, token: string, what: string): Promise<void> {
  const res = await refresh(app, token)
  t.equal(res.statusCode, 400, `${what} no longer refreshes`)
  t.equal(json(res).error, 'invalid_grant')
}

t.test('revokes the family of a body refresh token, and answers a repeated logout 204 too', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const res = await logout(app, { payload: { refresh_token: user.refreshToken } })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  await assertDead(t, app, user.refreshToken, 'the logged-out token')
  const again = await logout(app, { payload: { refresh_token: user.refreshToken } })
  t.equal(again.statusCode, 204, 'idempotent: nothing left to revoke is not an error')
})

t.test('logs out the bearer token\'s own session and leaves the user\'s other sessions alive', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const other = await secondLogin(app, user.email)
  const res = await logout(app, { headers: bearer(user.accessToken) })
  t.equal(res.statusCode, 204)
  await assertDead(t, app, user.refreshToken, 'the bearer\'s family')
  t.equal((await refresh(app, other.refresh_token)).statusCode, 200, 'another session of the user still refreshes')
})

t.test('logs out by cookie only with X-Requested-With, and clears the cookie', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app, 'cookie')
  const forged = await logout(app, { cookie: user.refreshToken })
  t.equal(forged.statusCode, 403, 'a cross-site form post cannot log the user out (CSRF)')
  t.equal(json(forged).error, 'csrf_rejected')
  const res = await logout(app, { cookie: user.refreshToken, headers: XRW })
  t.equal(res.statusCode, 204)
  const cleared = res.cookies.find((c) => c.name === COOKIE)
  t.ok(cleared, 'the response sets the refresh cookie')
  t.equal(cleared?.value, '')
  t.equal(cleared?.path, '/auth')
  t.ok(cleared?.maxAge === 0 || (cleared?.expires?.getTime() ?? Infinity) <= Date.now(), 'already expired')
  await assertDead(t, app, user.refreshToken, 'the cookie\'s token')
})

t.test('rejects a logout that names no session with 400 invalid_request', async (t) => {
  const app = await buildTestApp(t)
  for (const payload of [undefined, {}]) {
    const res = await logout(app, payload === undefined ? {} : { payload })
    t.equal(res.statusCode, 400, `body ${JSON.stringify(payload)}`)
    t.equal(json(res).error, 'invalid_request')
  }
})

t.test('rejects a malformed body refresh token with 400', async (t) => {
  const app = await buildTestApp(t)
  const res = await logout(app, { payload: { refresh_token: 'not-a-refresh-token' } })
  t.equal(res.statusCode, 400)
  t.equal(json(res).error, 'invalid_request')
})

t.test('answers 204 to a well-formed forged token and revokes nothing', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const parts = user.refreshToken.split('.')
  const mac = parts[5]!
  // Change the first character: the last one of a 43-character base64url string carries padding bits.
  parts[5] = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1)
  const forged = parts.join('.')
  const res = await logout(app, { payload: { refresh_token: forged } })
  t.equal(res.statusCode, 204, 'no oracle for which tokens exist (RFC 7009 §2.2)')
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'the real token still refreshes: a forged MAC names no family')
})

t.test('ends every family of the user on logout-all, including a grace-window predecessor', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const second = await secondLogin(app, user.email)
  const third = await secondLogin(app, user.email)
  const bystander = await registerAndLogin(app)
  const rotated = json<{ refresh_token: string }>(await refresh(app, user.refreshToken)).refresh_token
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'before logout-all the predecessor is honoured in grace')

  const res = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(second.access_token) })
  t.equal(res.statusCode, 204)
  await assertDead(t, app, user.refreshToken, 'the grace-window predecessor')
  await assertDead(t, app, rotated, 'the rotated first family')
  await assertDead(t, app, second.refresh_token, 'the caller\'s own family')
  await assertDead(t, app, third.refresh_token, 'the third family')
  t.equal((await refresh(app, bystander.refreshToken)).statusCode, 200, 'another user\'s session is untouched')

  const fresh = await secondLogin(app, user.email)
  t.equal((await refresh(app, fresh.refresh_token)).statusCode, 200, 'a login after logout-all works normally')
})

t.test('requires a valid bearer token for logout-all', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  for (const headers of [{}, bearer('not.a.jwt'), { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }]) {
    const res = await app.inject({ method: 'POST', url: '/auth/logout-all', headers })
    t.equal(res.statusCode, 401)
    t.equal(json(res).error, 'invalid_token')
  }
  t.equal((await refresh(app, user.refreshToken)).statusCode, 200, 'nothing was revoked')
})

t.test('a user whose record is gone (purged, or lost in a failover): its token gets 401, and revoking all its sessions still works', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  const redis = await rawRedis(t)
  t.equal(await redis.del(createKeyNames(app.config.redis.keyPrefix).user(user.userId)), 1, 'the user record is gone')
  const res = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })
  t.equal(res.statusCode, 401, 'logout-all checks the session in the store first: there is none')
  // What logout-all, an admin or the CLI run after that check (a record deleted in between): no 500, and every token
  // of the id is announced dead, so verifiers that never call the store reject it too.
  const floor = await app.revoker.allForUser(user.userId, 'logout_all')
  t.equal(floor, Number.MAX_SAFE_INTEGER)
  t.ok(app.revocations.list.isRevoked({ userId: user.userId, sessionId: user.sessionId, sessionVersion: 1 }), 'revoked locally')
})
