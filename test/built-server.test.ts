// The compiled server as operators run it: `node dist/server.js` with production settings, over real HTTP.
// tsc does not copy the Lua scripts, so a refresh through the built output proves they ship in dist/; SIGTERM must
// drain and exit 0 (orchestrators read a non-zero exit as a crash); logs must never carry a token (ASVS 7.1.1).
import t from 'tap'
import { freePort } from '../src/redis-server.js'
import { PASSWORD, redisUrl, REFRESH_SECRET, uniqueEmail } from './helper.js'
import { BOOT_TIMEOUT_MS, productionEnv, startServer, type ServerProcess as Server } from './server-process.js'


async function waitForHealthz (base: string, server: Server): Promise<void> {
  for (const deadline = Date.now() + BOOT_TIMEOUT_MS; Date.now() < deadline;) {
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`)
    const ok = await fetch(`${base}/healthz`).then((res) => res.ok, () => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server never answered /healthz:\n${server.output()}`)
}

async function post (url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}

t.test('the built server registers, logs in, refreshes over HTTP and exits 0 on SIGTERM without logging tokens', async (t) => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const server = startServer(t, await productionEnv(port, { LOG_LEVEL: 'info' }))
  await waitForHealthz(base, server)

  const email = uniqueEmail()
  const registered = await post(`${base}/auth/register`, { email, password: PASSWORD })
  t.equal(registered.status, 201, 'register')

  const login = await post(`${base}/auth/token`, { email, password: PASSWORD })
  t.equal(login.status, 200, 'login')
  const accessToken = login.body.access_token as string
  const refreshToken = login.body.refresh_token as string

  const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${accessToken}` } })
  t.equal(me.status, 200, '/me')
  t.equal((await me.json() as { email: string }).email, email)

  // Login and rotation run Lua scripts, which tsc does not emit: this fails if they are missing from dist/.
  const refreshed = await post(`${base}/auth/refresh`, { refresh_token: refreshToken })
  t.equal(refreshed.status, 200, 'refresh through the built Lua scripts')
  const newAccess = refreshed.body.access_token as string
  const newRefresh = refreshed.body.refresh_token as string
  t.not(newRefresh, refreshToken)

  // Presenting tokens in headers too, so redaction of request logs is exercised, not only body handling.
  const sessions = await fetch(`${base}/auth/sessions`, { headers: { authorization: `Bearer ${newAccess}` } })
  t.equal(sessions.status, 200)

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'graceful shutdown exits 0')

  const logs = server.output()
  // The logs are not vacuously clean: requests and security events were logged at info.
  t.match(logs, /"event":"login_succeeded"/, 'security events are logged')
  t.match(logs, /\/auth\/refresh/, 'requests are logged')
  t.match(logs, /shutting down/, 'the shutdown is logged')
  for (const [what, token] of Object.entries({ refreshToken, newRefresh, accessToken, newAccess })) {
    t.notOk(logs.includes(token), `logs do not contain ${what}`)
  }
  // No fragment either: the secret part of a refresh token and a JWT signature are what an attacker needs.
  t.notOk(logs.includes(refreshToken.split('.')[4]!), 'logs do not contain the refresh token secret')
  t.notOk(logs.includes(accessToken.split('.')[2]!), 'logs do not contain the access token signature')
})

t.test('refuses to start in production without JWT_KEYS, with one line naming it', async (t) => {
  const server = startServer(t, {
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    REDIS_URL: await redisUrl(),
    NODE_ENV: 'production',
    REFRESH_TOKEN_SECRET: REFRESH_SECRET,
    LOG_LEVEL: 'info'
  })
  const code = await server.exited
  t.not(code, 0, 'exits non-zero')
  const lines = server.output().trim().split('\n')
  t.equal(lines.length, 1, 'one line')
  t.match(lines[0], /JWT_KEYS/)
})
