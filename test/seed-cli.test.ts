// `rotor seed` end to end: configured from the environment like the service, it writes the seed file the k6 scripts
// read, and a server with the same configuration accepts what is in it.
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SeedFile } from '../src/seed/seed-file.js'
import { generateKeySetJson, loadKeySet } from '../src/tokens/key-set.js'
import { runCli } from './cli-process.js'
import { bearer, buildTestApp, json, login, redisUrl, refresh, REFRESH_SECRET, uniquePrefix } from './helper.js'

const dir = mkdtempSync(join(tmpdir(), 'rotor-seed-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const seedCli = (args: string[], env: Record<string, string>) => runCli(['seed', ...args], { env: { ...process.env, ...env } })

t.test('writes a seed file whose tokens and password a server with the same configuration accepts', async (t) => {
  const keysJson = await generateKeySetJson('EdDSA')
  const prefix = uniquePrefix()
  const out = join(dir, 'tokens.json')
  // Real keys and secret in the environment (as in production), so nothing is generated into a state folder.
  const env = { NODE_ENV: 'test', REDIS_URL: await redisUrl(), REDIS_KEY_PREFIX: prefix, JWT_KEYS: keysJson, REFRESH_TOKEN_SECRET: REFRESH_SECRET, PORT: '3456' }
  const run = await seedCli(['--users', '5', '--out', out, '--password', 'load test password'], env)
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /seeded 5 users \(run-[0-9a-f]{8}\.seed\.example\) in [0-9.]+ s; wrote /)

  const file = JSON.parse(readFileSync(out, 'utf8')) as SeedFile
  t.equal(statSync(out).mode & 0o777, 0o600, 'credentials are readable by their owner only')
  t.match(file, { version: 1, base_url_hint: 'http://127.0.0.1:3456', password: 'load test password' })
  t.ok(Date.parse(file.access_tokens_expire_at) > Date.now())
  t.same(file.users.map((u) => u.email), [1, 2, 3, 4, 5].map((n) => `seed-${n}@${file.email_domain}`))
  t.same(Object.keys(file.users[0]!).sort(), ['access_token', 'email', 'refresh_token'])

  const app = await buildTestApp(t, { env: { REDIS_KEY_PREFIX: prefix }, keySet: loadKeySet(keysJson, 'EdDSA') })
  for (const user of file.users) {
    const me = await app.inject({ url: '/me', headers: bearer(user.access_token) })
    t.equal(json(me).email, user.email)
    t.equal((await refresh(app, user.refresh_token)).statusCode, 200)
  }
  t.equal((await login(app, file.users[2]!.email, file.password)).statusCode, 200)
})

t.test('makes up a random password when none is given', async (t) => {
  const env = { NODE_ENV: 'test', REDIS_URL: await redisUrl(), REDIS_KEY_PREFIX: uniquePrefix(), JWT_KEYS: await generateKeySetJson('EdDSA'), REFRESH_TOKEN_SECRET: REFRESH_SECRET }
  const out = join(dir, 'random.json')
  t.equal((await seedCli(['--users', '1', '--out', out], env)).code, 0)
  const first = (JSON.parse(readFileSync(out, 'utf8')) as SeedFile).password
  t.equal((await seedCli(['--users', '1', '--out', out], env)).code, 0)
  const second = (JSON.parse(readFileSync(out, 'utf8')) as SeedFile).password
  t.match(first, /^seed-[A-Za-z0-9_-]{16}$/)
  t.not(first, second, 'a new one per run, never a well-known default')
})

t.test('refuses bad arguments with exit code 2 and writes nothing', async (t) => {
  const env = { NODE_ENV: 'test', REDIS_URL: await redisUrl(), REDIS_KEY_PREFIX: uniquePrefix() }
  const out = join(dir, 'never.json')
  const cases: Array<[string, string[], RegExp]> = [
    ['no --out', ['--users', '5'], /--users \(1 to 1000000\) and --out are required/],
    ['zero users', ['--users', '0', '--out', out], /--users \(1 to 1000000\)/],
    ['an unknown flag', ['--users', '5', '--out', out, '--admin'], /Unknown option '--admin'[\s\S]*usage: rotor seed/],
    ['a short password', ['--users', '5', '--out', out, '--password', 'short'], /--password must be 8 to 1024 UTF-8 bytes/]
  ]
  for (const [what, args, message] of cases) {
    const run = await seedCli(args, env)
    t.equal(run.code, 2, what)
    t.match(run.stderr, message, what)
  }
  t.throws(() => statSync(out), { code: 'ENOENT' })
})
