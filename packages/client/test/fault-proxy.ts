// A small real HTTP proxy in front of Rotor that can lose answers the way networks and balancers do: drop the
// connection after Rotor answered (the client never learns of a rotation that happened) or keep the answer back
// until the client gives up (a timeout), answer 502 after
// forwarding (a gateway that timed out), answer 503 itself (a balancer with no live backend) or refuse to forward
// at all (unreachable), or never answer (hold: a request hung somewhere); or, as an API whose verifier refuses every token, answer 401 invalid_token. It records every answer Rotor gave, so tests can compare what was lost with what came back.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from '../../../test/helper.js'

export type Fault = 'drop_after_answer' | 'stall_after_answer' | 'gateway_502' | 'unavailable' | 'unreachable' | 'refuse_token' | 'hold'

export interface Exchange {
  method: string, path: string, requestBody: string, status: number, retryAfter: string | null, body: string, delivered: boolean
}

export interface FaultProxy {
  url: string
  /** Every request Rotor answered, in order (faults that never forward are not here). */
  readonly exchanges: Exchange[]
  /** Apply `fault` to the next `times` requests for `path` (Infinity: until cleared); CORS preflights always pass. */
  fail (path: string, fault: Fault, times?: number): void
  clear (): void
  /** How many requests are being held unanswered. */
  readonly held: number
  /** Rotor's answers to POST /auth/refresh. */
  refreshes (): Exchange[]
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade'])

async function readBody (request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startFaultProxy (t: Test, targetUrl: string): Promise<FaultProxy> {
  const exchanges: Exchange[] = []
  let rules: { path: string, fault: Fault, times: number }[] = []
  let held = 0

  function takeFault (path: string): Fault | undefined {
    const rule = rules.find((r) => r.path === path && r.times > 0)
    if (rule === undefined) return undefined
    rule.times--
    return rule.fault
  }

  async function handle (request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    const fault = request.method === 'OPTIONS' ? undefined : takeFault(path)
    if (fault === 'unreachable') { request.socket.destroy(); return }
    const requestBody = await readBody(request)
    if (fault === 'hold') { held++; return }
    if (fault === 'refuse_token') {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' })
      response.end(JSON.stringify({ error: 'invalid_token', error_description: 'The access token is invalid' }))
      return
    }
    if (fault === 'unavailable') {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' })
      response.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'No backend is available' }))
      return
    }
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
    const method = request.method ?? 'GET'
    const answer = await fetch(`${targetUrl}${request.url ?? '/'}`, { method, headers, ...(requestBody === '' ? {} : { body: requestBody }) })
    const body = await answer.text()
    const exchange: Exchange = { method, path, requestBody, status: answer.status, retryAfter: answer.headers.get('retry-after'), body, delivered: fault === undefined }
    exchanges.push(exchange)
    if (fault === 'drop_after_answer') { request.socket.destroy(); return }
    if (fault === 'stall_after_answer') return
    if (fault === 'gateway_502') {
      response.writeHead(502, { 'content-type': 'text/plain' })
      response.end('Bad Gateway')
      return
    }
    const out: Record<string, string | string[]> = {}
    answer.headers.forEach((value, name) => { if (!HOP_BY_HOP.has(name) && name !== 'set-cookie') out[name] = value })
    const cookies = answer.headers.getSetCookie()
    if (cookies.length > 0) out['set-cookie'] = cookies
    response.writeHead(answer.status, out)
    response.end(body)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => { request.socket.destroy() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    get held () { return held },
    fail: (path, fault, times = 1) => { rules.push({ path, fault, times }) },
    clear: () => { rules = [] },
    refreshes: () => exchanges.filter((e) => e.method === 'POST' && e.path === '/auth/refresh')
  }
}
