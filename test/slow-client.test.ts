// A client that sends its request too slowly (slowloris: headers or body trickled a byte at a time) gets 408
// request_timeout in our error shape and its connection closed, instead of holding a connection open for ever.
// Over a real socket, since only it can trickle.
import t from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from './helper.js'

const LIVENESS_MS = 30_000 // far above the limits under test: only a connection that is never closed fails this

/** Writes `head`, then `trickle` one byte every 200 ms; resolves with everything received once the server closes. */
function slowRequest (port: number, head: string, trickle: string): Promise<{ received: string, closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = ''
    let sent = 0
    // The first byte goes 200 ms after the head, which is written below before any timer fires.
    const timer = setInterval(() => { if (sent < trickle.length && socket.writable) socket.write(trickle[sent++]!) }, 200)
    const bound = setTimeout(() => { socket.destroy(); reject(new Error('the server never closed the connection')) }, LIVENESS_MS)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { received += chunk })
    socket.on('error', () => undefined)
    socket.on('close', () => { clearInterval(timer); clearTimeout(bound); resolve({ received, closedByServer: sent < trickle.length }) })
    socket.write(head)
  })
}

t.test('answers 408 request_timeout and closes the connection when the body trickles in', async (t) => {
  const app = await buildTestApp(t, { env: { HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_HEADERS_TIMEOUT_MS: '1000' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const body = JSON.stringify({ email: 'slow@example.com', password: 'correct horse battery staple' })
  const head = `POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
  const { received, closedByServer } = await slowRequest(port, head, body)
  t.ok(closedByServer, 'closed before the body was complete')
  t.match(received, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  t.match(received, /\r\nConnection: close\r\n/i)
  t.same(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)), {
    error: 'request_timeout', error_description: 'The request was not received in time; the connection is closed'
  })
})

t.test('answers 408 when the headers trickle in', async (t) => {
  const app = await buildTestApp(t, { env: { HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_HEADERS_TIMEOUT_MS: '1000' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const { received, closedByServer } = await slowRequest(port, 'GET /healthz HTTP/1.1\r\n', 'X-Slow: ' + 'a'.repeat(200) + '\r\n\r\n')
  t.ok(closedByServer)
  t.match(received, /^HTTP\/1\.1 408 /)
  t.match(received, /"error":"request_timeout"/)
})

t.test('refuses a headers timeout longer than the request timeout at boot', async (t) => {
  const { loadConfig } = await import('../src/config.js')
  t.throws(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_HEADERS_TIMEOUT_MS: '3000' }), /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/)
})
