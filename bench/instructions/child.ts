// One measurement of `npm run bench:instructions`, run under callgrind by ./run.ts: the example resource server
// (the @rotor/verify Fastify plugin, in process, its JWKS served on loopback) answers `count` requests of one kind
// through app.inject, or, for `raw`, crypto.verify checks the same tokens in a loop. `none` does the setup and the
// warm-up only: its instruction count is subtracted from every other kind's, leaving the cost of the requests.
// Several kinds, comma-separated, run one after the other in one process: the suite's check that each serves, not a
// measurement (cold goes last there, so its tokens are still unseen).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { buildResourceServer } from '../../examples/resource-server/app.js'
import { loadKeySet } from '../../src/tokens/key-set.js'
import { signatureHolds } from '../free-verify.js'

export type Kind = 'none' | 'bare' | 'warm' | 'free' | 'cold' | 'raw'

const [kindList, dir] = process.argv.slice(2) as [string, string]
const { issuer, audience, ttlSeconds } = JSON.parse(readFileSync(`${dir}/setup.json`, 'utf8')) as { issuer: string, audience: string, ttlSeconds: number }
const keySet = loadKeySet(readFileSync(`${dir}/keys.json`, 'utf8'), 'EdDSA')
// The first token warms every route up (all kinds alike); the others are each sent once (cold) or verified once (raw).
const [spare, ...tokens] = readFileSync(`${dir}/tokens.txt`, 'utf8').split('\n') as [string, ...string[]]

const jwks = createServer((_request, response) => response.setHeader('content-type', 'application/json').end(JSON.stringify(keySet.jwks)))
await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
const { port } = jwks.address() as { port: number }
const app = await buildResourceServer({
  issuer, audience, jwksUri: `http://127.0.0.1:${port}/`, maxTokenLifetimeSeconds: ttlSeconds, feed: false, cacheMaxEntries: 100_000
})
const keys = new Map([...keySet.byKid].map(([kid, key]) => [kid, key.publicKey]))
const freeVerify = (token: string): boolean => signatureHolds(token, keys)
app.get('/bench/bare', async () => ({ hello: 'bare', degraded: false }))
// A free verifier behind the same stack: the signature and nothing else (as bench/resource-server.ts).
app.get('/bench/free-verify', async (request) => ({ hello: freeVerify(request.headers.authorization!.slice(7)) ? 'free' : 'no', degraded: false }))
await app.ready()

const get = async (url: string, token: string): Promise<void> => {
  const response = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
}
for (const url of ['/bench/bare', '/bench/free-verify', '/hello']) for (let i = 0; i < 200; i++) await get(url, spare)
for (const kind of kindList.split(',') as Kind[]) {
  if (kind === 'raw') {
    for (const token of tokens) if (!freeVerify(token)) throw new Error('a token failed its raw verification')
  } else if (kind !== 'none') {
    const url = kind === 'bare' ? '/bench/bare' : kind === 'free' ? '/bench/free-verify' : '/hello'
    // warm repeats the spare token (a cache hit each time); cold sends each token once (a full verification each).
    for (const token of tokens) await get(url, kind === 'warm' ? spare : token)
  }
}
await app.close()
jwks.close()
