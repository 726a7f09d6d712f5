// What a log line may hold: never a credential (ASVS 7.1.1; OWASP Logging Cheat Sheet, "Data to exclude"). Applied by
// buildApp to every logger it is given, so no caller can forget it.
// - Request lines carry the path without its query string: a client that puts a token in the URL (?access_token=,
//   RFC 6750 §5.3) must not get it written to disk. A path no route matched is cut to its first segment, since it is
//   arbitrary client text (a token pasted as a path would otherwise be logged whole).
// - Errors are logged by name, message, code and stack only: pino's default serializer copies every enumerable
//   property, and client errors (ioredis's `command` with its arguments, for one) can hold request data.
// - Headers are not serialised at all; the redaction paths cover anything that logs them on purpose.
import type { FastifyRequest } from 'fastify'

export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]']

/** The path of the URL, without query string or fragment; unmatched routes only up to their first segment. */
export function loggedUrl (request: Pick<FastifyRequest, 'url'> & { routeOptions?: { url?: string } }): string {
  const url = request.url
  const end = url.search(/[?#]/)
  const path = end === -1 ? url : url.slice(0, end)
  if (request.routeOptions?.url !== undefined) return path
  const second = path.indexOf('/', 1)
  return second === -1 ? path.slice(0, 64) : `${path.slice(0, Math.min(second, 64))}/…`
}

export const LOG_SERIALIZERS = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: loggedUrl(request),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }),
  err: (err: Error & { code?: unknown }) => ({
    type: err.name,
    message: err.message,
    ...(typeof err.code === 'string' ? { code: err.code } : {}),
    stack: err.stack ?? ''
  })
}
