// CONTRACT FIXTURE, not Rotor: a small node:http server that follows the revocation feed's wire contract exactly
// (Rotor's docs/revocation-feed.md: Bearer credential, `retry: 1000` first, snapshot / snapshot-end / revocation /
// status events, Last-Event-ID resume from a retained log, `: hb <ms>` heartbeats) and serves a JWKS. It stands in
// for Rotor's feed until the end-to-end test against two real Rotor instances replaces it; faults (cuts, silence,
// 503) are switched on by the test.
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FeedEvent } from '../src/index.js'

export interface ContractFeed {
  base: string
  streamUrl: string
  jwksUrl: string
  /** Append an event to the log and send it to every subscriber. */
  push (event: FeedEvent): string
  /** Drop every open stream (the subscriber reconnects). */
  cut (): void
  /** Stop heartbeats and events to open streams without closing them (a dead middlebox). */
  silence (on: boolean): void
  /** Send `event: status` to every subscriber. */
  status (state: 'live' | 'degraded'): void
  /** Refuse new subscribers with 503 + Retry-After while set. */
  refuse (on: boolean): void
  /** Forget the log before this point: an older Last-Event-ID then gets a snapshot. */
  truncate (): void
  requests: Array<{ lastEventId: string | undefined, authorization: string | undefined }>
  close (): Promise<void>
}

export interface ContractFeedOptions {
  credential: string
  jwks: () => unknown
  heartbeatMs: number
  retryMs?: number
  /** The metadata document's values (docs/revocation-feed.md), served at /.well-known/oauth-authorization-server. */
  metadata?: { issuer: string, audience: string, maxLifetimeSeconds: number }
}

export async function startContractFeed (options: ContractFeedOptions): Promise<ContractFeed> {
  const log: Array<{ id: string, event: FeedEvent }> = []
  let firstRetained = 0
  let seq = 0
  let silent = false
  let refusing = false
  const streams = new Set<ServerResponse>()
  const requests: ContractFeed['requests'] = []
  let base = ''
  const write = (res: ServerResponse, text: string): void => { if (!silent) res.write(text) }
  const live = (id: string, event: FeedEvent): string => `id: ${id}\nevent: revocation\ndata: ${JSON.stringify(event)}\n\n`

  const server = createServer((req, res) => {
    if (req.url === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' })
      res.end(JSON.stringify(options.jwks()))
      return
    }
    if (req.url === '/.well-known/oauth-authorization-server' && options.metadata !== undefined) {
      const { issuer, audience, maxLifetimeSeconds } = options.metadata
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' })
      res.end(JSON.stringify({
        issuer,
        jwks_uri: `${base}/jwks.json`,
        rotor_access_token_signing_alg_values_supported: ['EdDSA'],
        rotor_access_token_typ: 'at+jwt',
        rotor_audience: audience,
        rotor_access_token_max_lifetime_seconds: maxLifetimeSeconds,
        rotor_revocation_stream_endpoint: `${base}/revocations/stream`,
        rotor_revocation_poll_endpoint: `${base}/revocations`
      }))
      return
    }
    if (req.url?.startsWith('/revocations/stream') !== true) { res.writeHead(404).end(); return }
    const lastEventId = req.headers['last-event-id'] as string | undefined
    requests.push({ lastEventId, authorization: req.headers.authorization })
    if (req.headers.authorization !== `Bearer ${options.credential}`) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="rotor-revocations"' })
      res.end(JSON.stringify({ error: 'invalid_token', error_description: 'feed credential required' }))
      return
    }
    if (refusing) { res.writeHead(503, { 'retry-after': '0' }).end(); return }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
    res.write(`retry: ${options.retryMs ?? 1000}\n\n`)
    const at = lastEventId === undefined ? -1 : log.findIndex((e) => e.id === lastEventId)
    if (at >= firstRetained) {
      for (const { id, event } of log.slice(at + 1)) res.write(live(id, event))
    } else {
      const entries = log.map((e) => e.event)
      for (let i = 0; i < entries.length; i += 2) res.write(`event: snapshot\ndata: ${JSON.stringify({ entries: entries.slice(i, i + 2) })}\n\n`)
      res.write(`id: ${log.at(-1)?.id ?? '0-0'}\nevent: snapshot-end\ndata: ${JSON.stringify({ count: entries.length })}\n\n`)
    }
    streams.add(res)
    res.on('close', () => streams.delete(res))
  })
  const heartbeat = setInterval(() => { for (const res of streams) write(res, `: hb ${Date.now()}\n\n`) }, options.heartbeatMs)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    base,
    streamUrl: `${base}/revocations/stream`,
    jwksUrl: `${base}/jwks.json`,
    push (event) {
      const id = `${Date.now()}-${seq++}`
      log.push({ id, event })
      for (const res of streams) write(res, live(id, event))
      return id
    },
    cut () { for (const res of streams) res.destroy() },
    silence (on) { silent = on },
    status (state) { for (const res of streams) write(res, `event: status\ndata: ${JSON.stringify({ state })}\n\n`) },
    refuse (on) { refusing = on },
    truncate () { firstRetained = log.length },
    requests,
    async close () {
      clearInterval(heartbeat)
      for (const res of streams) res.destroy()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections() // keep-alive sockets of JWKS fetches too: close() alone waits for them to idle out
      await closed
    }
  }
}
