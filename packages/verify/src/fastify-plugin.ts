// Fastify plugin: `onRequest: app.authenticate` sets request.auth from the Bearer token (synchronously once the
// verifier is ready: no promise per request), `app.requireRole(role)` guards a route. Answers follow RFC 6750 §3
// (http-auth.ts) in Rotor's error shape. Given a verifier, the plugin uses it and leaves closing it to its owner;
// given options, it creates one, waits for ready() before the app starts listening, and closes it with the app.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { hasSecondAuthorization } from './bearer.js'
import type { AccessClaims } from './claims.js'
import type { Authenticate } from './fastify-types.js'
import { checkRole, missingToken, twoAuthorizationHeaders, type AuthFailure } from './http-auth.js'
import { createVerifier, type Verifier } from './verifier.js'
import type { VerifierOptions } from './verifier-options.js'

export type { Authenticate } from './fastify-types.js'

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: Authenticate
    /** After authentication: 403 insufficient_scope unless the token carries the role (RFC 6750 §3.1). */
    requireRole: (role: string) => (request: FastifyRequest) => Promise<void>
    rotorVerifier: Verifier
  }
  interface FastifyRequest {
    auth: AccessClaims | null
    /** True when the token was accepted while the revocation feed was down ('accept-and-flag'). */
    authDegraded: boolean
  }
}

export type RotorVerifyPluginOptions = ({ verifier: Verifier } | VerifierOptions) & {
  /**
   * With verifier options: how long app.ready()/listen() wait for the verifier's first keys and feed state (default 8,
   * inside Fastify's 10 s plugin timeout), failing boot with the reason after that; 0 starts at once, answering 503
   * until the verifier is ready.
   */
  waitForReadySeconds?: number
}

/** An error Fastify's error handler can send as it is; the plugin's own hooks send it themselves. */
export class AuthError extends Error {
  override name = 'AuthError'
  readonly statusCode: number
  constructor (readonly failure: AuthFailure) {
    super(failure.error.error_description)
    this.statusCode = failure.status
  }
}

export function sendFailure (reply: FastifyReply, failure: AuthFailure): FastifyReply {
  if (failure.wwwAuthenticate !== undefined) reply.header('www-authenticate', failure.wwwAuthenticate)
  if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds))
  return reply.code(failure.status).send(failure.error)
}

async function readyWithin (verifier: Verifier, seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const { state, keys, error } = verifier.status()
      reject(new Error(`@rotor/verify not ready after ${seconds} s: ${keys} keys, feed ${state}${error !== undefined ? ` (${error})` : ''}`))
    }, seconds * 1000)
  })
  try { await Promise.race([verifier.ready(), late]) } finally { clearTimeout(timer) }
}

async function rotorVerify (app: FastifyInstance, options: RotorVerifyPluginOptions): Promise<void> {
  const owned = !('verifier' in options)
  const verifier = 'verifier' in options ? options.verifier : createVerifier(options)
  if (owned) {
    const waitSeconds = options.waitForReadySeconds ?? 8
    if (waitSeconds > 0) app.addHook('onReady', () => readyWithin(verifier, waitSeconds))
    app.addHook('onClose', () => verifier.close())
  }
  app.decorate('rotorVerifier', verifier)
  app.decorateRequest('auth', null)
  app.decorateRequest('authDegraded', false)

  const judge = (request: FastifyRequest): AuthFailure | undefined => {
    if (hasSecondAuthorization(request.raw.rawHeaders)) return twoAuthorizationHeaders()
    const result = verifier.authenticateRequest(request.headers)
    if (!result.ok) {
      request.log.debug({ reason: result.reason }, 'access token rejected')
      return result
    }
    request.auth = result.claims
    request.authDegraded = result.degraded
    return undefined
  }

  function authenticate (request: FastifyRequest): Promise<void>
  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void
  function authenticate (request: FastifyRequest, reply?: FastifyReply, done?: HookHandlerDoneFunction): Promise<void> | void {
    const failure = judge(request)
    if (done === undefined) return failure === undefined ? Promise.resolve() : Promise.reject(new AuthError(failure))
    // A hook answers by sending, without calling done (Fastify hooks: "respond to a request from a hook").
    if (failure !== undefined) { sendFailure(reply!, failure); return }
    done()
  }

  app.decorate('authenticate', authenticate)
  // As a route hook (preHandler, after onRequest: app.authenticate) it answers itself; called directly it throws.
  const requireRole = (role: string) => async (request: FastifyRequest, reply?: FastifyReply): Promise<unknown> => {
    const failure = request.auth === null ? missingToken() : checkRole(request.auth, role)
    if (failure === undefined) return undefined
    if (reply === undefined) throw new AuthError(failure)
    return sendFailure(reply, failure)
  }
  app.decorate('requireRole', requireRole as (role: string) => (request: FastifyRequest) => Promise<void>)
}

export const rotorVerifyPlugin = fp(rotorVerify, { name: '@rotor/verify', fastify: '5.x' })
export default rotorVerifyPlugin
