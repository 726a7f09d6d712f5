// The peer of scenario 10 (issue 13): node-oidc-provider answering refresh-token grants with rotation, its state in
// Redis through bench/peer-oidc/redis-adapter.ts, on Node's own HTTP server as its README deploys it, pinned to the
// same core as Rotor. Set up as close to Rotor's refresh as it goes: a public client (no client authentication, as an
// SPA or a mobile app), `rotateRefreshToken: true`, and a JWT access token signed with EdDSA for one resource server,
// so each refresh, like Rotor's, reads and rotates the stored token and signs one access token. No ID token (no
// `openid` scope), which Rotor does not issue either.
import { createServer } from 'node:http'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import Provider from 'oidc-provider'
import { serveTasks } from '../child.js'
import { redisAdapter } from './redis-adapter.js'

const env = process.env
const port = Number(env.PORT)
if (env.REDIS_URL === undefined || !Number.isInteger(port)) throw new Error('the orchestrator passes REDIS_URL and PORT')
const RESOURCE = 'https://api.bench.example'
const CLIENT_ID = 'bench-spa'

const redis = new Redis(env.REDIS_URL)
const signingKey = { ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }), alg: 'EdDSA', use: 'sig', kid: 'bench' }
const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter: redisAdapter(redis, `oidc-${randomBytes(4).toString('hex')}:`),
  clients: [{ client_id: CLIENT_ID, token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'EdDSA', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://app.bench.example/cb'] }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
  rotateRefreshToken: true,
  // Rotor's lifetimes: access tokens 15 minutes, refresh families 14 days.
  ttl: { AccessToken: 900, RefreshToken: 14 * 86_400, Grant: 14 * 86_400 },
  features: {
    // No login pages: grants are made directly by the seeding task.
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({ scope: 'api', audience: RESOURCE, accessTokenTTL: 900, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } })
    }
  }
})
const server = createServer(provider.callback())
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
const close = () => { server.close(); server.closeAllConnections(); redis.disconnect(); process.exit(0) }
process.on('SIGTERM', close)

serveTasks({
  /** One grant and one refresh token per user (models saved through the provider), the tokens written to `file`. */
  seed: async (input: { userIds: string[], file: string }) => {
    const client = await provider.Client.find(CLIENT_ID)
    if (client === undefined) throw new Error(`client ${CLIENT_ID} is not configured`)
    const tokens = new Array<string>(input.userIds.length)
    let next = 0
    const worker = async () => {
      while (next < input.userIds.length) {
        const i = next++
        const accountId = input.userIds[i]!
        const grant = new provider.Grant({ accountId, clientId: CLIENT_ID })
        grant.addOIDCScope('offline_access')
        grant.addResourceScope(RESOURCE, 'api')
        const grantId = await grant.save()
        // offline_access: a refresh token not bound to a browser session, as Rotor's are.
        const token = new provider.RefreshToken({ accountId, client, grantId, gty: 'authorization_code', scope: 'offline_access api', resource: RESOURCE })
        tokens[i] = await token.save()
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
    writeFileSync(input.file, tokens.join('\n') + '\n', { mode: 0o600 })
    return { tokens: tokens.length }
  }
}, { port })
