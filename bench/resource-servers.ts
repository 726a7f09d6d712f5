// Resource servers for scenarios 7 and 8 (bench/resource-server.ts), pinned to the server core like the app
// instances, each following the revocation feed of the Rotor instance it is given.
import { freePort } from '../src/redis-server.js'
import { startChild } from './child.js'
import type { AppServer, BenchContext } from './context.js'

export interface ResourceServer extends AppServer {
  /** The Rotor instance whose JWKS and feed it follows. */
  follows: AppServer
}

/** One resource server per entry of `follow`, started together; the caller stops them. */
export async function startResourceServers (ctx: BenchContext, follow: AppServer[], feedCredential: string): Promise<ResourceServer[]> {
  const { jwt, revocationFeed } = ctx.appConfig
  const servers = await Promise.all(follow.map(async (instance) => {
    const port = await freePort()
    const child = startChild('./resource-server.ts', {
      core: ctx.pinning.serverCore,
      env: {
        NODE_ENV: 'production',
        PORT: String(port),
        RS_ROTOR_URL: instance.url,
        RS_ISSUER: jwt.issuer,
        RS_AUDIENCE: jwt.audience,
        RS_MAX_LIFETIME_SECONDS: String(jwt.accessTokenTtlSeconds),
        RS_FEED_CREDENTIAL: feedCredential,
        RS_HEARTBEAT_SECONDS: String(revocationFeed.heartbeatSeconds),
        RS_CACHE_MAX_ENTRIES: String(Math.max(100_000, ctx.bench.users))
      }
    })
    return { child, url: `http://127.0.0.1:${port}`, follows: instance }
  }))
  // Ready means listening, which the plugin allows only once the keys and the feed's first snapshot are in.
  await Promise.all(servers.map((s) => s.child.ready))
  return servers
}
