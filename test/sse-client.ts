// A small Server-Sent Events client over node:http for the feed tests: parses the stream line by line (WHATWG HTML
// §9.2.6: fields id, event, data, retry; comments), and waits for messages with a deadline, never a fixed sleep.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'

export interface SseMessage { event: string, data: string, id?: string }

export interface SseConnection {
  status: number
  headers: IncomingHttpHeaders
  /** Raw lines in order (fields and comments), for asserting the first line and heartbeats. */
  lines: string[]
  messages: SseMessage[]
  closed: boolean
  /** Resolves with the first message (from `from` on) that matches; rejects after the deadline. */
  waitFor: (match: (m: SseMessage) => boolean, from?: number, deadlineMs?: number) => Promise<SseMessage>
  waitForLine: (match: (line: string) => boolean, deadlineMs?: number) => Promise<string>
  waitClosed: (deadlineMs?: number) => Promise<void>
  /** Stop reading (the socket's receive buffer fills, then the server's). */
  pause: () => void
  close: () => void
  body: () => string
}

const DEADLINE_MS = 20_000

export function connectSse (url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      const conn: SseConnection = {
        status: res.statusCode ?? 0, headers: res.headers, lines: [], messages: [], closed: false,
        waitFor, waitForLine, waitClosed, pause: () => { res.pause() }, close: () => { req.destroy() }, body: () => raw
      }
      let raw = ''
      let pending = ''
      let current: Partial<SseMessage> & { data?: string } = {}
      const wakers = new Set<() => void>()
      const wake = (): void => { for (const w of [...wakers]) w() }
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        raw += chunk
        pending += chunk
        let nl: number
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl)
          pending = pending.slice(nl + 1)
          conn.lines.push(line)
          if (line === '') {
            if (current.data !== undefined) conn.messages.push({ event: current.event ?? 'message', data: current.data, id: current.id })
            current = {}
            continue
          }
          const colon = line.indexOf(':')
          if (colon === 0) continue // a comment
          const field = colon < 0 ? line : line.slice(0, colon)
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
          if (field === 'data') current.data = current.data === undefined ? value : `${current.data}\n${value}`
          else if (field === 'event') current.event = value
          else if (field === 'id') current.id = value
        }
        wake()
      })
      const end = (): void => { conn.closed = true; wake() }
      res.on('end', end)
      res.on('close', end)
      res.on('error', end)

      function until<T> (check: () => T | undefined, deadlineMs: number, what: string): Promise<T> {
        return new Promise((resolve, reject) => {
          const attempt = (): void => {
            const found = check()
            if (found !== undefined) { done(); resolve(found) } else if (conn.closed) { done(); reject(new Error(`stream closed before ${what}`)) }
          }
          const timer = setTimeout(() => { done(); reject(new Error(`no ${what} within ${deadlineMs} ms`)) }, deadlineMs)
          const done = (): void => { clearTimeout(timer); wakers.delete(attempt) }
          wakers.add(attempt)
          attempt()
        })
      }
      function waitFor (match: (m: SseMessage) => boolean, from = 0, deadlineMs = DEADLINE_MS): Promise<SseMessage> {
        return until(() => conn.messages.slice(from).find(match), deadlineMs, 'matching message')
      }
      function waitForLine (match: (line: string) => boolean, deadlineMs = DEADLINE_MS): Promise<string> {
        return until(() => conn.lines.find(match), deadlineMs, 'matching line')
      }
      function waitClosed (deadlineMs = DEADLINE_MS): Promise<void> {
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => { reject(new Error('stream still open')) }, deadlineMs)
          const check = (): void => { if (conn.closed) { clearTimeout(timer); wakers.delete(check); resolve() } }
          wakers.add(check)
          check()
        })
      }
      resolve(conn)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The parsed data of a message. */
export function dataOf<T = Record<string, unknown>> (m: SseMessage): T {
  return JSON.parse(m.data) as T
}
