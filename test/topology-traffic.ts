// Traffic for topology tests: a tour of every route family, and a client refreshing in a loop while the topology
// changes under it.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Redis } from 'ioredis'
import { bearer, json, login, PASSWORD, refresh, registerAndLogin } from './helper.js'
import { sleep, until } from './topologies.js'

type Check = { equal: (found: unknown, wanted: unknown, message: string) => unknown }
type Tokens = { access_token: string, refresh_token: string, session_id: string }

/**
 * Every route family once, against whatever Redis the app was built on: each store operation must stay within one
 * hash slot (no CROSSSLOT on a Cluster) and reach the primary (no READONLY behind Sentinel).
 */
export async function tourEveryRoute (t: Check, app: FastifyInstance): Promise<void> {
  const status = async (what: string, wanted: number, res: PromiseLike<LightMyRequestResponse>) => {
    const reply = await res
    t.equal(reply.statusCode, wanted, `${what}: ${reply.statusCode === wanted ? wanted : reply.body}`)
    return reply
  }
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'ready')
  const user = await registerAndLogin(app)
  const viaCookie = await registerAndLogin(app, 'cookie')
  await status('cookie refresh', 200, app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'x-requested-with': 'XMLHttpRequest' }, cookies: { [app.refreshCookie.name]: viaCookie.refreshToken } }))
  await status('/me', 200, app.inject({ url: '/me', headers: bearer(user.accessToken) }))
  const rotated = json<Tokens>(await status('refresh', 200, refresh(app, user.refreshToken)))
  await status('grace replay of the predecessor', 200, refresh(app, user.refreshToken))
  await status('sessions list', 200, app.inject({ url: '/auth/sessions', headers: bearer(rotated.access_token) }))
  const second = json<Tokens>(await status('second login', 200, login(app, user.email)))
  await status('session delete', 204, app.inject({ method: 'DELETE', url: `/auth/sessions/${second.session_id}`, headers: bearer(rotated.access_token) }))
  const changed = json<Tokens>(await status('password change', 200, app.inject({
    method: 'POST', url: '/auth/password', headers: bearer(rotated.access_token), payload: { current_password: PASSWORD, new_password: 'a brand new passphrase 2026' }
  })))
  await status('logout with the refresh token', 204, app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: changed.refresh_token } }))
  const third = json<Tokens>(await status('login with the new password', 200, login(app, user.email, 'a brand new passphrase 2026')))
  await status('logout-all', 204, app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(third.access_token) }))
  await status('refresh after logout-all', 400, refresh(app, third.refresh_token))

  const admin = await registerAndLogin(app)
  await app.users.setRoles(admin.userId, ['admin'])
  const adminToken = json<Tokens>(await login(app, admin.email)).access_token
  const call = (method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
    app.inject({ method, url: `/admin/users/${viaCookie.userId}${path}`, headers: bearer(adminToken), ...(payload === undefined ? {} : { payload }) })
  await status('admin read', 200, call('GET', ''))
  await status('admin revoke sessions', 204, call('POST', '/revoke-sessions'))
  await status('admin roles', 200, call('PUT', '/roles', { roles: ['support'] }))
  await status('admin disable', 204, call('POST', '/disable'))
  await status('admin enable', 204, call('POST', '/enable'))
  await status('metrics scrape', 200, app.inject({ url: '/metrics' }))
}

export interface RefreshRun { statuses: number[], unexpected: string[], token: string, recoveredMs: number }

/**
 * Refresh one family in a loop, each 200 handing on the new token, while `during` runs, then until a refresh
 * succeeds again. Anything but 200 or 503 is collected in `unexpected`; `recoveredMs` is the time from the end of
 * `during` to the first 200 after it. `between` runs after each 200, before the next refresh.
 */
export async function refreshWhile (app: FastifyInstance, refreshToken: string, during: Promise<unknown>,
  between: () => Promise<void> = async () => undefined): Promise<RefreshRun> {
  const run: RefreshRun = { statuses: [], unexpected: [], token: refreshToken, recoveredMs: -1 }
  let doneAtMs: number | undefined
  void during.finally(() => { doneAtMs = Date.now() })
  for (;;) {
    const res = await refresh(app, run.token)
    run.statuses.push(res.statusCode)
    if (res.statusCode === 200) {
      run.token = json<{ refresh_token: string }>(res).refresh_token
      if (doneAtMs !== undefined) { run.recoveredMs = Date.now() - doneAtMs; break }
      await between()
    } else {
      if (res.statusCode !== 503) { run.unexpected.push(`${res.statusCode} ${res.body}`); break }
      if (doneAtMs !== undefined && Date.now() - doneAtMs > 10_000) break
      await sleep(20)
    }
  }
  await during
  return run
}

/**
 * Until every replica of `primary` holds all it has written (INFO replication offsets), for `timeoutMs` at most;
 * a primary that stops answering (killed) ends the wait at once.
 */
export async function replicasCaughtUp (primary: Redis, timeoutMs = 5000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    let info: string
    try { info = await primary.info('replication') } catch { return }
    const offset = /^master_repl_offset:(\d+)/m.exec(info)?.[1]
    const replicas = [...info.matchAll(/^slave\d+:.*\boffset=(\d+)/gm)].map((m) => m[1])
    if (replicas.length > 0 && replicas.every((o) => o === offset)) return
    await sleep(5)
  }
}

/** One line for the test log: how the client fared. */
export function summary (run: RefreshRun): string {
  const count = (code: number) => run.statuses.filter((s) => s === code).length
  return `${run.statuses.length} refreshes: ${count(200)} × 200, ${count(503)} × 503; recovered ${run.recoveredMs} ms after`
}

/** A logout-all on instance a reaches instance b through the revocation feed: b rejects the old access token. */
export async function expectFeedCarriesLogoutAll (t: Check, a: FastifyInstance, b: FastifyInstance, withinMs: number): Promise<void> {
  const user = await registerAndLogin(a)
  t.equal((await b.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 200, 'b accepts the token first')
  t.equal((await a.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(user.accessToken) })).statusCode, 204, 'logout-all on a')
  await until('instance b rejects the old access token', async () =>
    (await b.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode === 401, withinMs)
}
