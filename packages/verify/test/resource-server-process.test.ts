// The example resource server as a real process (examples/resource-server/server.ts, env only), discovering keys and
// feed from RFC 8414 metadata served by the CONTRACT FIXTURE (contract-feed-server.ts): it starts, reports live on
// /healthz, accepts a token and rejects it once the feed revokes its session.
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startContractFeed } from './contract-feed-server.js'
import { AUDIENCE, eventually, ISSUER, rotorKeys, signer, TTL } from './helpers.js'

const CREDENTIAL = 'feed-credential-0123456789abcdef0123456789'
const keySet = await rotorKeys()
const sign = signer(keySet)
const feed = await startContractFeed({
  credential: CREDENTIAL, jwks: () => keySet.jwks, heartbeatMs: 1000, metadata: { issuer: ISSUER, audience: AUDIENCE, maxLifetimeSeconds: TTL }
})
t.teardown(() => feed.close())

const root = fileURLToPath(new URL('../../../', import.meta.url))
const child = spawn(process.execPath, ['--import', 'tsx', 'examples/resource-server/server.ts'], {
  cwd: root,
  env: { ...process.env, ROTOR_ISSUER: ISSUER, ROTOR_METADATA_URL: `${feed.base}/.well-known/oauth-authorization-server`, ROTOR_FEED_CREDENTIAL: CREDENTIAL, PORT: '0' },
  stdio: ['ignore', 'pipe', 'pipe']
})
t.teardown(() => { child.kill('SIGTERM') })
let output = ''
child.stdout.on('data', (chunk) => { output += chunk })
child.stderr.on('data', (chunk) => { output += chunk })
await eventually('the example listens', () => /resource server on http:\/\/127\.0\.0\.1:\d+/.test(output) || child.exitCode !== null, 60_000)
const base = /resource server on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]

t.test('starts from env and metadata alone, live', async (t) => {
  t.ok(base, `listening (output: ${output.slice(0, 300)})`)
  const health = await fetch(`${base}/healthz`)
  t.equal(health.status, 200)
  t.match(await health.json(), { state: 'live', keys: 1, feedDown: false })
})

t.test('accepts a token, then rejects it once its session is revoked', async (t) => {
  const token = await sign({ userId: 'frank', sessionId: 's-frank' })
  const hello = await fetch(`${base}/hello`, { headers: { authorization: `Bearer ${token}` } })
  t.same(await hello.json(), { hello: 'frank', degraded: false })
  feed.push({ kind: 'session', userId: 'frank', sessionId: 's-frank', atMs: Date.now(), reason: 'logout' })
  let status = 0
  const deadline = Date.now() + 20_000
  while (status !== 401 && Date.now() < deadline) {
    status = (await fetch(`${base}/hello`, { headers: { authorization: `Bearer ${token}` } })).status
  }
  t.equal(status, 401, 'revoked')
  t.equal((await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${token}` } })).status, 401)
})
