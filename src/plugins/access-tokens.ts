// Access-token signer/verifier over the configured key set, plus the public JWKS.
import fp from 'fastify-plugin'
import { createAccessTokens, type AccessTokens } from '../tokens/access-token.js'
import type { KeySet } from '../tokens/key-set.js'

declare module 'fastify' {
  interface FastifyInstance {
    accessTokens: AccessTokens
    jwks: KeySet['jwks']
  }
}

export default fp<{ keySet: KeySet }>(async (app, { keySet }) => {
  const { jwt } = app.config
  app.decorate('jwks', keySet.jwks)
  app.decorate('accessTokens', createAccessTokens({
    keySet,
    issuer: jwt.issuer,
    audience: jwt.audience,
    clientId: jwt.clientId,
    ttlSeconds: jwt.accessTokenTtlSeconds,
    clockToleranceSeconds: jwt.clockToleranceSeconds,
    cacheMaxEntries: jwt.accessTokenCacheMaxEntries,
    nowMs: app.clock
  }))
}, { name: 'access-tokens', dependencies: ['config'] })
