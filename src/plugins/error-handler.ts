// Shapes every error once: { error, error_description } (RFC 6749 §5.2 style), never a stack or an internal
// message. Validation and parser errors become 4xx; store outages and a saturated password hasher 503 with
// Retry-After; rate limits 429 with Retry-After; anything else 500.
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply } from 'fastify'
import { errors, isClientError, STORE_RETRY_AFTER_SECONDS, type ClientError } from '../errors.js'
import { SemaphoreSaturatedError } from '../users/semaphore.js'
import { isStoreUnavailable } from './redis.js'

const FASTIFY_CODES: Record<string, () => ClientError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => errors.payloadTooLarge(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => errors.unsupportedMediaType(),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => errors.invalidRequest('The JSON body is empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => errors.invalidRequest('The body is not valid JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => errors.invalidRequest('Content-Length does not match the body')
}

export function send (reply: FastifyReply, err: ClientError): FastifyReply {
  if (err.error === 'invalid_token' || err.error === 'insufficient_scope') {
    // RFC 6750 §3: tell the client which scheme and why.
    reply.header('WWW-Authenticate', `Bearer error="${err.error}"`)
  }
  // RFC 9110 §10.2.3 (delay in seconds); RFC 6585 §4 for 429.
  const retryAfter = err.retryAfterSeconds ?? (err.statusCode === 503 ? STORE_RETRY_AFTER_SECONDS : undefined)
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter))
  return reply.code(err.statusCode).send({ error: err.error, error_description: err.message })
}

export default fp(async (app) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isClientError(err)) return send(reply, err)
    if (err.validation !== undefined) {
      return send(reply, errors.invalidRequest(`${err.validationContext ?? 'request'}${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? 'is invalid'}`))
    }
    const known = err.code !== undefined ? FASTIFY_CODES[err.code] : undefined
    if (known !== undefined) return send(reply, known())
    if (err instanceof SemaphoreSaturatedError) {
      request.log.warn({ err: { message: err.message } }, 'password hashing saturated')
      return send(reply, errors.temporarilyUnavailable('The server is busy; retry shortly'))
    }
    if (isStoreUnavailable(err)) {
      request.log.warn({ err: { message: err.message } }, 'session store unavailable')
      return send(reply, errors.temporarilyUnavailable())
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, errors.invalidRequest())
    }
    request.log.error({ err }, 'unhandled error')
    return send(reply, errors.internalError())
  })
  app.setNotFoundHandler((_request, reply) => send(reply, errors.notFound()))
}, { name: 'error-handler' })
