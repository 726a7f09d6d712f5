// Apps serving the revocation feed on real ports, for the feed tests: several instances on one Redis and key prefix.
import type { FastifyInstance } from 'fastify'
import { buildTestApp, type Test, uniquePrefix } from './helper.js'

export const FEED_CREDENTIAL = 'feed-credential-for-tests-0123456789abcdef'
export const FEED_AUTH = { authorization: `Bearer ${FEED_CREDENTIAL}` }

export interface FeedApp { app: FastifyInstance, url: string }

/** `count` instances sharing a key prefix, each listening on `ports[i]` or a free port; closed when the test ends. */
export async function feedApps (t: Test, count: number, env: Record<string, string> = {}, clock?: () => number, ports: number[] = []): Promise<FeedApp[]> {
  const shared = { REDIS_KEY_PREFIX: uniquePrefix(), REVOCATION_FEED_CREDENTIALS: `other-credential-being-rotated-out-0123,${FEED_CREDENTIAL}`, ...env }
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const app = await buildTestApp(t, { env: shared, clock })
    const address = await app.listen({ port: ports[i] ?? 0, host: '127.0.0.1' })
    return { app, url: address }
  }))
}

/** Resolves once `check` holds, polling; rejects after the deadline (generous: busy hosts). */
export async function eventually (check: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > deadlineMs) throw new Error(`not within ${deadlineMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
