// Errors Node's HTTP parser reports before Fastify has a request (Fastify's clientErrorHandler): answered in our
// error shape, then the connection is closed, since the rest of what the client sends cannot be trusted to frame a
// next request. A request not fully received within HTTP_REQUEST_TIMEOUT_MS (headers within HTTP_HEADERS_TIMEOUT_MS),
// such as a body trickled a byte a second (slowloris, OWASP DoS Cheat Sheet), gets 408 request_timeout.
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { errors, type ClientError } from './errors.js'

function errorFor (code: string | undefined): ClientError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout()
  if (code === 'HPE_HEADER_OVERFLOW') return Object.assign(errors.invalidRequest('The request headers are too large'), { statusCode: 431 })
  return errors.invalidRequest('The request is not valid HTTP/1.1')
}

export function clientErrorHandler (err: Error & { code?: string }, socket: Socket): void {
  // A reset connection is gone already; nothing to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  // Part of a response already written: another one cannot follow it on this connection.
  if (!socket.writable || socket.bytesWritten > 0) {
    socket.destroy()
    return
  }
  const error = errorFor(err.code)
  const body = JSON.stringify({ error: error.error, error_description: error.message })
  socket.end([
    `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body
  ].join('\r\n'))
}
