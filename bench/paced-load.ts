// An open-loop load at a constant arrival rate, beside autocannon's overallRate. autocannon refills each connection's
// budget once per second, so "half the max rate" arrives as a burst at full speed for part of every second, then
// silence. Here a request is due every 1/rate seconds whether or not earlier ones have answered, and its latency
// counts from the moment it was due, so time spent queued behind a slow answer is counted too (no coordinated
// omission), as k6's constant-arrival-rate executor does. Raw keep-alive sockets with prebuilt requests keep the
// generator's own cost per request low; latencies are measured to the microsecond.
import net from 'node:net'
import type { LoadResult, RequestKind } from './types.js'
import { requestFor } from './requests.js'
import { percentiles } from './stats.js'

export interface PacedSpec {
  url: string
  kind: RequestKind
  valuesFile: string
  /** Sockets kept open; a request due while all are busy waits for one, and the wait is part of its latency. */
  connections: number
  seconds: number
  rate: number
  /** For kind 'login'. */
  password?: string
}

/** dueAt is undefined while no request is outstanding on the socket. */
interface Conn { socket: net.Socket, dueAt: number | undefined, pending: Buffer }

export async function runPaced (spec: PacedSpec, list: string[]): Promise<LoadResult> {
  const { hostname, port } = new URL(spec.url)
  const total = Math.max(1, Math.round(spec.rate * spec.seconds))
  const requests = list.slice(0, Math.min(list.length, total)).map((value) => encode(requestFor(spec.kind, value, spec.password), `${hostname}:${port}`))
  const intervalMs = 1000 / spec.rate
  const latencies: number[] = []
  const refusedLatencies: number[] = [] // non-2xx answers (a shed login's 503): how fast the refusal came
  const statusCodes: Record<string, number> = {}
  const waiting: number[] = [] // due times of requests no socket was free for, oldest first
  let waitingHead = 0
  const free: Conn[] = []
  let sent = 0
  let answered = 0
  let errors = 0
  let onAllAnswered: () => void = () => undefined

  const send = (conn: Conn, dueAt: number) => {
    conn.dueAt = dueAt
    conn.socket.write(requests[(sent++) % requests.length]!)
  }
  const retire = (conn: Conn) => {
    const at = free.indexOf(conn)
    if (at >= 0) free.splice(at, 1)
  }
  const answer = (conn: Conn, status: number) => {
    // A response with no request outstanding is the server timing out a socket that sat unused (408 after
    // HTTP_HEADERS_TIMEOUT_MS): not an answer to anything, so neither a latency nor a request answered.
    // The server closes such a socket next: it takes no more requests.
    if (conn.dueAt === undefined) {
      statusCodes[`${status} unsolicited`] = (statusCodes[`${status} unsolicited`] ?? 0) + 1
      retire(conn)
      return
    }
    statusCodes[status] = (statusCodes[status] ?? 0) + 1
    const bucket = status < 300 ? latencies : refusedLatencies
    bucket.push(performance.now() - conn.dueAt)
    conn.dueAt = undefined
    if (++answered + errors === total) onAllAnswered()
    if (waitingHead < waiting.length) send(conn, waiting[waitingHead++]!)
    else free.push(conn)
  }

  const conns = await Promise.all(Array.from({ length: spec.connections }, () => new Promise<Conn>((resolve, reject) => {
    const conn: Conn = { socket: net.connect({ host: hostname, port: Number(port) }), dueAt: undefined, pending: Buffer.alloc(0) }
    conn.socket.setNoDelay(true)
    conn.socket.once('connect', () => resolve(conn))
    conn.socket.on('error', reject) // before connect: the phase fails; later, 'close' follows and counts what was owed
    // A socket the server closed takes no more requests; one it owed an answer counts as an error.
    conn.socket.on('end', () => retire(conn))
    conn.socket.on('close', () => {
      retire(conn)
      if (conn.dueAt !== undefined) { conn.dueAt = undefined; if (++errors + answered === total) onAllAnswered() }
    })
    conn.socket.on('data', (chunk: Buffer) => {
      conn.pending = conn.pending.length === 0 ? chunk : Buffer.concat([conn.pending, chunk])
      const parsed = parseResponse(conn.pending)
      if (parsed === undefined) return
      conn.pending = conn.pending.subarray(parsed.length)
      answer(conn, parsed.status)
    })
  })))
  free.push(...conns)

  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  await new Promise<void>((resolve) => {
    // A request may never be answered (a socket failed mid-run, a starved server): give up a while after the last
    // one was due, and count what is still owed as timed out.
    const deadline = setTimeout(resolve, (spec.seconds + drainSeconds(spec.seconds)) * 1000)
    onAllAnswered = () => { clearTimeout(deadline); resolve() }
    let scheduled = 0
    // Every millisecond, issue each request that has come due since the last tick, stamped with its own due time.
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1)
      for (; scheduled < due; scheduled++) {
        const dueAt = start + scheduled * intervalMs
        // Oldest free socket first: every socket keeps being used, none idles into the server's header timeout.
        const conn = free.shift()
        if (conn !== undefined) send(conn, dueAt)
        else waiting.push(dueAt)
      }
      if (scheduled === total) clearInterval(timer)
    }, 1)
  })
  const seconds = (performance.now() - start) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  for (const conn of conns) conn.socket.destroy()
  return {
    ok: latencies.length,
    non2xx: answered - latencies.length,
    errors,
    // Sent and never answered, or due and never sent for want of a free socket: neither a latency nor an error.
    timeouts: total - answered - errors,
    statusCodes,
    seconds,
    rps: latencies.length / seconds,
    latencyMs: percentiles(latencies),
    ...(refusedLatencies.length > 0 ? { non2xxLatencyMs: percentiles(refusedLatencies) } : {}),
    loadCpuPercent: (cpu.user + cpu.system) / 10 / (seconds * 1000)
  }
}

/** How long after its last due time a phase still waits for answers: a whole phase, at least 3 s, at most 10 s. */
function drainSeconds (phaseSeconds: number): number {
  return Math.min(10, Math.max(3, phaseSeconds))
}

function encode (request: ReturnType<typeof requestFor>, host: string): Buffer {
  const body = request.body ?? ''
  const headers = { host, ...request.headers, ...(body === '' ? {} : { 'content-length': String(Buffer.byteLength(body)) }) }
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  return Buffer.from(`${request.method} ${request.path} HTTP/1.1\r\n${head}\r\n${body}`)
}

/** One complete response at the start of `buf` (status and byte length), or undefined while it is incomplete. */
export function parseResponse (buf: Buffer): { status: number, length: number } | undefined {
  const headerEnd = buf.indexOf('\r\n\r\n')
  if (headerEnd < 0) return undefined
  const head = buf.subarray(0, headerEnd).toString('latin1')
  const contentLength = /\r\ncontent-length: *(\d+)/i.exec(head)
  // The app answers every request with a Content-Length (no chunked bodies), which keeps this parser this small.
  if (contentLength === null) throw new Error(`response without Content-Length: ${head.split('\r\n')[0]}`)
  const length = headerEnd + 4 + Number(contentLength[1])
  if (buf.length < length) return undefined
  return { status: Number(head.slice(9, 12)), length }
}
