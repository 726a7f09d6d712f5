// POST /auth/register and POST /auth/token (first-party login: not an OAuth password grant for third parties).
import type { FastifyPluginAsync } from 'fastify'
import formbody from '@fastify/formbody'
import { Type } from '@sinclair/typebox'
import { errors, withRetryAfter } from '../errors.js'
import { parseFormStrict } from '../plugins/body-parsers.js'
import { RegisterBody, TokenBody, TokenResponse, UserCreated, type RegisterBodyT, type TokenBodyT } from '../schemas/auth.js'
import { CsrfHeaders, errorResponses, success, TOKEN_HEADERS } from '../schemas/common.js'
import { passwordInputProblem } from '../users/passwords.js'
import { checkGrantType } from './grant-type.js'
import { sendGrant } from './token-reply.js'

const INVALID_EMAIL = 'email is not a valid address (invisible, control and bidirectional characters are refused)'

const routes: FastifyPluginAsync = async (app) => {
  // Form posts are accepted on register and login (classic HTML forms and OAuth-style clients), and documented so;
  // both are CORS-safelisted bodies, which is harmless here: neither acts on a cookie without X-Requested-With.
  // Decoded strictly: percent-encoded UTF-8 only (see body-parsers.ts).
  await app.register(formbody, { bodyLimit: app.config.bodyLimitBytes, parser: parseFormStrict })

  app.post<{ Body: RegisterBodyT }>('/auth/register', {
    onRequest: app.admitPasswordWork, // first: a full argon2 queue answers 503 before the body or the rate limit
    config: { rateLimit: app.rateLimits.register },
    schema: {
      summary: 'Create an account',
      tags: ['auth'],
      consumes: ['application/json', 'application/x-www-form-urlencoded'],
      body: Type.Ref(RegisterBody),
      response: { 201: success(UserCreated, 'The account was created'), ...errorResponses(400, 409, 413, 415, 429, 503) }
    }
  }, async (request, reply) => {
    const outcome = await app.authService.register({ ...request.body, permit: request.passwordPermit })
    if (!outcome.ok) {
      if (outcome.reason === 'email_taken') throw errors.emailTaken()
      if (outcome.reason === 'invalid_email') throw errors.invalidRequest(INVALID_EMAIL)
      if (outcome.reason === 'weak_password') throw errors.weakPassword(outcome.description)
      throw errors.invalidRequest(outcome.description)
    }
    const { id, email, createdAtMs } = outcome.user
    app.audit(request, { event: 'user_registered', userId: id })
    return reply.code(201).send({ id, email, created_at: new Date(createdAtMs).toISOString() })
  })

  app.post<{ Body: TokenBodyT }>('/auth/token', {
    onRequest: app.admitPasswordWork, // first: a login storm is shed before the body, the rate limit and the lock-out
    config: { rateLimit: app.rateLimits.login },
    preValidation: checkGrantType('password'),
    schema: {
      summary: 'First-party login: exchange email and password for tokens',
      tags: ['auth'],
      consumes: ['application/json', 'application/x-www-form-urlencoded'],
      body: Type.Ref(TokenBody),
      headers: CsrfHeaders,
      response: { 200: success(TokenResponse, 'Logged in: a new session (refresh-token family)', TOKEN_HEADERS), ...errorResponses(400, 403, 413, 415, 429, 503) }
    }
  }, async (request, reply) => {
    const { email, password, refresh_delivery: delivery = 'body' } = request.body
    // Setting the cookie is a cookie-authenticated act for CSRF purposes (login CSRF, OWASP).
    if (delivery === 'cookie') app.refreshCookie.assertCsrfSafe(request)
    const passwordProblem = passwordInputProblem(password)
    if (passwordProblem !== undefined) throw errors.invalidRequest(passwordProblem)
    const outcome = await app.authService.login({
      email, password, userAgent: request.headers['user-agent'] ?? '', ip: request.ip, permit: request.passwordPermit
    })
    if (!outcome.ok) {
      if (outcome.reason === 'throttled') {
        // Same answer whether the password was right or not: the lock is checked before it (no oracle).
        app.audit(request, { event: 'login_failed', reason: 'throttled', account: outcome.account })
        app.audit(request, { event: 'rate_limited', limit: 'login_account', account: outcome.account })
        throw withRetryAfter(errors.rateLimited('Too many failed logins for this account; retry after the number of seconds in Retry-After'), outcome.retryAfterMs / 1000)
      }
      if (outcome.reason === 'invalid_email') throw errors.invalidRequest(INVALID_EMAIL)
      // A disabled account gets the same answer as a wrong password: no account-state oracle.
      app.audit(request, { event: 'login_failed', reason: outcome.reason, account: outcome.account, ...(outcome.userId !== undefined ? { userId: outcome.userId } : {}) })
      throw errors.invalidGrant('Invalid email or password')
    }
    app.audit(request, { event: 'login_succeeded', userId: outcome.grant.userId, familyId: outcome.grant.sessionId })
    return sendGrant(app, reply, outcome.grant, delivery)
  })
}

export default routes
