// Shapes every error once: { error, error_description } (RFC 6749 §5.2 style), never a stack, an internal message or
// a library code (FST_*, HPE_*; ASVS 7.4.1). Validation and parser errors become 4xx; store outages and a saturated
// password hasher 503 with Retry-After; rate limits 429 with Retry-After; anything else 500. Errors that Fastify and
// Node answer before any hook runs (a bad URL, an over-long parameter, unparsable HTTP) come through
// `frameworkErrors` and `clientErrorHandler`, which buildApp passes to Fastify().
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errors, isClientError, STORE_RETRY_AFTER_SECONDS, type ClientError } from '../errors.js'
import { SemaphoreSaturatedError } from '../users/semaphore.js'
import { isStoreError, isStoreUnavailable, storeErrorCode } from '../redis-errors.js'
import { authorityConflicts, repeatedSingleHeader } from '../request-framing.js'

/** Fastify's client-facing error codes (fastify/lib/errors.js), each mapped onto the error table. */
const FASTIFY_CODES: Record<string, () => ClientError> = {
  FST_ERR_NOT_FOUND: () => errors.notFound(),
  FST_ERR_CTP_BODY_TOO_LARGE: () => errors.payloadTooLarge(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => errors.unsupportedMediaType(),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => errors.invalidRequest('The JSON body is empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => errors.invalidRequest('The body is not valid JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => errors.invalidRequest('Content-Length does not match the body'),
  FST_ERR_BAD_URL: () => errors.invalidRequest('The request path is not valid percent-encoding'),
  FST_ERR_INVALID_URL: () => errors.invalidRequest('The request target is not a valid URL'),
  // A path parameter over the router's maxParamLength (100): no identifier of ours is that long, and 414 is what the
  // target's length earns (RFC 9110 §15.5.15), the same whichever route the path resembles.
  FST_ERR_MAX_PARAM_LENGTH: () => errors.uriTooLong(),
  FST_ERR_HANDLER_TIMEOUT: () => errors.temporarilyUnavailable('The request took too long to handle; retry shortly')
}

export function send (reply: FastifyReply, err: ClientError): FastifyReply {
  if (err.wwwAuthenticate !== undefined) reply.header('WWW-Authenticate', err.wwwAuthenticate)
  else if (err.error === 'invalid_token' || err.error === 'insufficient_scope') {
    // RFC 6750 §3: tell the client which scheme and why.
    reply.header('WWW-Authenticate', `Bearer error="${err.error}"`)
  }
  // RFC 9110 §10.2.3 (delay in seconds); RFC 6585 §4 for 429.
  const retryAfter = err.retryAfterSeconds ?? (err.statusCode === 503 ? STORE_RETRY_AFTER_SECONDS : undefined)
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter))
  return reply.code(err.statusCode).send({ error: err.error, error_description: err.message })
}

/** Fastify's `frameworkErrors` option: a bad URL or an over-long path parameter, found before routing. */
export function frameworkErrors (err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  send(reply, FASTIFY_CODES[err.code]?.() ?? errors.invalidRequest())
}

/** Node's HTTP parser errors (llhttp's HPE_* codes) and server timeouts, by the status each earns. */
function unparsedRequestError (code: string | undefined): ClientError {
  // The request line counts towards the header limit, so an over-long URL lands here too (RFC 6585 §5).
  if (code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge()
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout()
  return errors.invalidRequest('The request is not valid HTTP/1.1')
}

/**
 * Fastify's `clientErrorHandler`: a request Node could not parse (malformed request line or header, headers over
 * maxHeaderSize, a timeout) never becomes a Fastify request, so the answer is written to the socket here, and the
 * connection closed since its framing can no longer be trusted (RFC 9112 §9.6).
 */
export function clientErrorHandler (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  if (socket.writable) {
    const { statusCode, error, message } = unparsedRequestError(err.code)
    const body = JSON.stringify({ error, error_description: message })
    socket.write(`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\nDate: ${new Date().toUTCString()}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`)
  }
  socket.destroy()
}

export default fp(async (app) => {
  let lastSaturationLogMs = 0
  let refusedSinceLog = 0
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isClientError(err)) return send(reply, err)
    if (err.validation !== undefined) {
      return send(reply, errors.invalidRequest(`${err.validationContext ?? 'request'}${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? 'is invalid'}`))
    }
    const known = err.code !== undefined ? FASTIFY_CODES[err.code] : undefined
    if (known !== undefined) return send(reply, known())
    if (err instanceof SemaphoreSaturatedError) {
      // A login storm is refused request by request: one line a second, with the count, not one line each.
      refusedSinceLog++
      if (Date.now() - lastSaturationLogMs >= 1000) {
        request.log.warn({ err: { message: err.message }, refused: refusedSinceLog }, 'password hashing saturated')
        lastSaturationLogMs = Date.now()
        refusedSinceLog = 0
      }
      return send(reply, errors.temporarilyUnavailable('The server is busy; retry shortly'))
    }
    if (isStoreError(err)) {
      // Every store error is a 503 (src/redis-errors.ts), logged at error level with its code and never the command's
      // keys or args; `outage` tells a topology event or an unreachable store from anything else the store answered
      // (NOPERM, WRONGTYPE, a script error), which is worth an operator's look.
      request.log.error({ err: { code: storeErrorCode(err), message: err.message.slice(0, 200) }, outage: isStoreUnavailable(err) }, 'session store error')
      return send(reply, errors.temporarilyUnavailable())
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, errors.invalidRequest())
    }
    request.log.error({ err }, 'unhandled error')
    return send(reply, errors.internalError())
  })
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400 (Node's check is off so the answer has our shape),
  // and so is one with more than one Host or other single header, or whose target names another host (request-framing.ts).
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.host === undefined && request.raw.httpVersion !== '1.0') return done(errors.invalidRequest('HTTP/1.1 requests must send Host'))
    const repeated = repeatedSingleHeader(request.raw.rawHeaders)
    if (repeated !== undefined) {
      // Two credentials are ambiguous by RFC 6750 §2: the same answer the bearer check gives.
      return done(errors.invalidRequest(repeated === 'Authorization' ? 'Send exactly one Authorization header (RFC 6750 §2)' : `The request has more than one ${repeated} header`))
    }
    if (authorityConflicts(request.raw.url ?? '', request.headers.host)) return done(errors.invalidRequest('The request target names another host than Host'))
    done()
  })
  app.setNotFoundHandler((request, reply) => {
    // RFC 9110 §15.5.6: a path we serve, asked with a method we do not, is 405 with the methods it does take.
    const allowed = app.routeTable.methodsFor(request.url)
    if (allowed.length === 0) return send(reply, errors.notFound())
    return send(reply.header('Allow', allowed.join(', ')), errors.methodNotAllowed())
  })
}, { name: 'error-handler', dependencies: ['route-table'] })
