// The first admin comes from the CLI: register through the API, then grant the role.
import t from 'tap'
import { decodeJwt } from 'jose'
import { runCli } from './cli-process.js'
import { bearer, buildTestApp, json, login, redisUrl, registerAndLogin, uniquePrefix } from './helper.js'

// Resolves with the run, rejects with it on a non-zero exit (as execFile's promise does).
const run = async (args: string[], options: { env: Record<string, string | undefined> }) => {
  const result = await runCli(args, options)
  if (result.code !== 0) throw Object.assign(new Error(result.stderr), result)
  return result
}

t.test('grants and revokes a role from the command line, ending the user\'s sessions', async (t) => {
  const prefix = uniquePrefix()
  const app = await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix } })
  const user = await registerAndLogin(app)
  const env = { ...process.env, REDIS_URL: await redisUrl(), REDIS_KEY_PREFIX: prefix, NODE_ENV: 'test' }
  const granted = await run(['users', 'grant-role', user.email.toUpperCase(), 'admin'], { env })
  t.match(granted.stdout, /roles admin; existing sessions ended/)
  t.equal((await app.inject({ url: '/me', headers: bearer(user.accessToken) })).statusCode, 401, 'the running app heard the revocation')
  const token = json<{ access_token: string }>(await login(app, user.email)).access_token
  t.same(decodeJwt(token).roles, ['admin'])
  t.equal((await app.inject({ url: `/admin/users/${user.userId}`, headers: bearer(token) })).statusCode, 200, 'the new admin can use the admin API')

  await run(['users', 'revoke-role', user.email, 'admin'], { env })
  const after = json<{ access_token: string }>(await login(app, user.email)).access_token
  t.same(decodeJwt(after).roles, [])
})

t.test('refuses an unknown email or a malformed role', async (t) => {
  const env = { ...process.env, REDIS_URL: await redisUrl(), REDIS_KEY_PREFIX: uniquePrefix(), NODE_ENV: 'test' }
  const unknown = await run(['users', 'grant-role', 'nobody@example.com', 'admin'], { env }).catch((err: { code: number, stderr: string }) => err)
  t.match(unknown, { code: 1, stderr: /no user with email nobody@example.com/ })
  const bad = await run(['users', 'grant-role', 'a@example.com', 'Admin Role'], { env }).catch((err: { code: number }) => err)
  t.match(bad, { code: 2 })
})
