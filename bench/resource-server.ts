// One resource server for the benchmark (scenarios 7 and 8): the example resource server (the @rotor/verify Fastify
// plugin, GET /hello for any valid token) plus GET /bench/bare on the same Fastify instance, which answers the same
// shape with no token work: the ceiling of this process on this core, /hello is measured against it.
// It follows one Rotor instance (RS_ROTOR_URL): its JWKS and revocation feed are given explicitly, since every
// instance shares one issuer and the metadata's URLs all point at the issuer.
// For scenario 8 the orchestrator `watch`es a token; the verifier's metric hook reports each feed event as it is
// applied, and at that moment the watched token is verified again: the first `revoked` is the propagation time, read
// on this process's clock (performance.timeOrigin + now(), comparable across processes) with no polling load.
import { createPublicKey, type KeyObject } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildResourceServer } from '../examples/resource-server/app.js'
import { closeOnSignal, serveTasks } from './child.js'
import { signatureHolds } from './free-verify.js'
import { epochMs } from './stats.js'

const env = process.env
const need = (name: string): string => {
  const value = env[name]
  if (value === undefined || value === '') throw new Error(`the orchestrator passes ${name}`)
  return value
}
const rotorUrl = need('RS_ROTOR_URL')

let watched: { token: string, rejectedAtMs?: number, notify: () => void } | undefined
// Set once built: feed events may arrive while the plugin is still starting.
const built: { app?: FastifyInstance } = {}
const onFeedEvent = (): void => {
  const app = built.app
  if (app === undefined || watched === undefined || watched.rejectedAtMs !== undefined) return
  const result = app.rotorVerifier.verify(watched.token)
  if (!result.ok && result.reason === 'revoked') {
    watched.rejectedAtMs = epochMs()
    watched.notify()
  }
}

const app = await buildResourceServer({
  issuer: need('RS_ISSUER'),
  audience: need('RS_AUDIENCE'),
  jwksUri: `${rotorUrl}/.well-known/jwks.json`,
  maxTokenLifetimeSeconds: Number(need('RS_MAX_LIFETIME_SECONDS')),
  feed: { url: `${rotorUrl}/revocations/stream`, credential: need('RS_FEED_CREDENTIAL'), heartbeatSeconds: Number(need('RS_HEARTBEAT_SECONDS')) },
  // Room for every seeded user's token: "warm" must mean every request is a hit.
  cacheMaxEntries: Number(need('RS_CACHE_MAX_ENTRIES')),
  onMetric: (event) => { if (event.name === 'feed_event' && !event.snapshot) onFeedEvent() }
})
built.app = app
app.get('/bench/bare', async () => ({ hello: 'bare', degraded: false }))
// A free verifier behind the same HTTP stack: the token's signature checked with node:crypto under the key its kid
// names, nothing else (no claims, no cache, no revocation). Scenario 7's cold phase is compared with it in situ: the
// signature work runs interleaved with HTTP work there, slower than in a tight loop (docs/benchmarks.md).
const freeKeys = await publishedKeys()
app.get('/bench/free-verify', async (request, reply) => signatureHolds((request.headers.authorization ?? '').slice('Bearer '.length), freeKeys)
  ? { hello: 'free', degraded: false }
  : reply.code(401).send({ error: 'invalid_token' }))
await app.listen({ host: '127.0.0.1', port: Number(need('PORT')) })

closeOnSignal(app)

async function publishedKeys (): Promise<Map<string, KeyObject>> {
  const { keys } = await (await fetch(`${rotorUrl}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> }
  return new Map(keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]))
}

serveTasks({
  /** Watch one token from now on; it must verify now (it is then in the cache, the worst case). */
  watch: async (input: { token: string }) => {
    const result = app.rotorVerifier.verify(input.token)
    if (!result.ok) throw new Error(`the watched token is already rejected: ${result.reason}`)
    watched = { token: input.token, notify: () => undefined }
    return null
  },
  /** When the watched token was first rejected as revoked (epoch ms), or null if not within timeoutMs. */
  rejectedAt: async (input: { timeoutMs: number }) => {
    const w = watched
    if (w === undefined) throw new Error('nothing is watched')
    if (w.rejectedAtMs === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, input.timeoutMs)
        w.notify = () => { clearTimeout(timer); resolve() }
      })
    }
    return w.rejectedAtMs ?? null
  },
  status: async () => app.rotorVerifier.status()
}, { port: Number(need('PORT')) })
