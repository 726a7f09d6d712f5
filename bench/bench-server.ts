// One app instance for the benchmark: the real app from buildApp, configured from the environment like the service,
// plus GET /bench/bare on the same Fastify instance. The bare route runs through every root hook the app installs
// (overload check, metrics, logging) but does no token work, so it is the ceiling any route of this app can reach
// on this core: /me is measured against it.
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { loadKeySet } from '../src/tokens/key-set.js'
import { setThreadPoolNice } from '../src/users/thread-pool-priority.js'
import { closeOnSignal } from './child.js'

const config = loadConfig(process.env)
if (config.jwt.keys === undefined || config.refresh.secret === undefined) throw new Error('the orchestrator passes JWT_KEYS and REFRESH_TOKEN_SECRET')
const app = await buildApp({ config, keySet: loadKeySet(config.jwt.keys, config.jwt.alg, config.jwt.signingKid), refreshSecret: config.refresh.secret })

app.get('/bench/bare', {
  // Serialised by a compiled schema, as /me's answer is: the comparison is token work, not JSON speed.
  schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } }
}, async () => ({ ok: true }))

// The bare POST: what a refresh costs the HTTP stack alone (a JSON body parsed, a small JSON answer), with no token,
// store or signature work; scenario 2's bound of its parts adds those.
app.post('/bench/bare', {
  schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } }
}, async () => ({ ok: true }))

// As src/server.ts does: a process-wide setting, so the process entry applies it, not buildApp.
await setThreadPoolNice(config.passwordHashing.threadNice, config.passwordHashing.poolSize)
await app.listen({ host: config.host, port: config.port })

closeOnSignal(app, { onDisconnect: true })
process.send?.({ type: 'ready', info: { port: config.port } })
