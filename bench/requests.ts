// What the load generators send: one request shape per kind, carrying one value (token or email) from a list file.
import { readFileSync } from 'node:fs'
import type { RequestKind } from './types.js'

const lists = new Map<string, string[]>()

/** The values in a file, one per line; read once per process. */
export function values (file: string): string[] {
  let list = lists.get(file)
  if (list === undefined) {
    list = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')
    if (list.length === 0) throw new Error(`${file} holds no values`)
    lists.set(file, list)
  }
  return list
}

export interface BenchRequest { method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string }

/**
 * The request of `kind` carrying `value`. The bare route gets the same Authorization header as /me, so both cost the
 * load generator and the HTTP parser the same and differ only in the token work.
 */
export function requestFor (kind: RequestKind, value: string, password = ''): BenchRequest {
  const json = { 'content-type': 'application/json' }
  switch (kind) {
    case 'bare': return { method: 'GET', path: '/bench/bare', headers: { authorization: `Bearer ${value}` } }
    case 'me': return { method: 'GET', path: '/me', headers: { authorization: `Bearer ${value}` } }
    case 'hello': return { method: 'GET', path: '/hello', headers: { authorization: `Bearer ${value}` } }
    // Scenario 9's peer: the session cookie, as a browser sends it, instead of a bearer token.
    case 'session-me': return { method: 'GET', path: '/me', headers: { cookie: value } }
    case 'free-verify': return { method: 'GET', path: '/bench/free-verify', headers: { authorization: `Bearer ${value}` } }
    // The same body as a refresh, to the bare POST route: the HTTP and JSON share of a refresh.
    case 'bare-post': return { method: 'POST', path: '/bench/bare', headers: json, body: JSON.stringify({ refresh_token: value }) }
    case 'refresh': return { method: 'POST', path: '/auth/refresh', headers: json, body: JSON.stringify({ refresh_token: value }) }
    // Scenario 10's peer: RFC 6749 §6, as a public client sends it (client_id, no secret).
    case 'oidc-refresh': return {
      method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&client_id=bench-spa&refresh_token=${encodeURIComponent(value)}`
    }
    case 'login': return { method: 'POST', path: '/auth/token', headers: json, body: JSON.stringify({ email: value, password }) }
  }
}
