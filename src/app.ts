// buildApp: the whole service as a Fastify instance, no listening and no environment. Registration order is the
// architecture: infrastructure → schemas/docs → domain stores → routes.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import type { KeySet } from './tokens/key-set.js'
import { LOG_REDACT, LOG_SERIALIZERS } from './log.js'
import configPlugin from './plugins/config.js'
import errorHandler, { clientErrorHandler, frameworkErrors } from './plugins/error-handler.js'
import routeTable from './plugins/route-table.js'
import cors from './plugins/cors.js'
import bodyParsers from './plugins/body-parsers.js'
import audit from './plugins/audit.js'
import overload from './plugins/overload.js'
import redis from './plugins/redis.js'
import rateLimits from './plugins/rate-limits.js'
import swagger from './plugins/swagger.js'
import refreshCookie from './plugins/refresh-cookie.js'
import accessTokens from './plugins/access-tokens.js'
import revocations from './plugins/revocations.js'
import users from './plugins/users.js'
import sessions from './plugins/sessions.js'
import metrics from './plugins/metrics.js'
import authenticate from './plugins/authenticate.js'
import revocationStream from './plugins/revocation-stream.js'
import authLoginRoutes from './routes/auth-login.js'
import authRefreshRoutes from './routes/auth-refresh.js'
import sessionRoutes from './routes/sessions.js'
import meRoutes from './routes/me.js'
import wellKnownRoutes from './routes/well-known.js'
import healthRoutes from './routes/health.js'
import passwordRoutes from './routes/password.js'
import adminRoutes from './routes/admin.js'
import metricsRoutes from './routes/metrics.js'
import revocationRoutes from './routes/revocations.js'

export interface AppOptions {
  config: Config
  keySet: KeySet
  /** REFRESH_TOKEN_SECRET, resolved by the caller (server.ts generates a development one). */
  refreshSecret: string
  /** Milliseconds since the epoch; tests inject one to move time without sleeping. */
  clock?: () => number
  /** Tests only: replaces Redis's clock in the store scripts (production decides every window on Redis's clock). */
  storeClock?: () => number
  /** Level and destination (pino options); false for none. Redaction and serializers are always ours. */
  logger?: false | { level?: string, stream?: NodeJS.WritableStream | { write (msg: string): void } }
}

/** A logger with our rules (src/log.ts) whatever the caller asked for: level and stream are theirs, the rest ours. */
function withLogRules (logger: AppOptions['logger'], level: string): FastifyServerOptions['logger'] {
  if (logger === false) return false
  const base = typeof logger === 'object' && logger !== null ? logger : { level }
  return { ...base, redact: LOG_REDACT, serializers: LOG_SERIALIZERS }
}

export async function buildApp (options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    logger: withLogRules(options.logger, config.logLevel),
    // A hop count is valid for Fastify (proxy-addr) though its types omit it.
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    bodyLimit: config.bodyLimitBytes,
    // Explicit limits on slow clients (Node's own defaults are 300 s per request and no idle limit). Node checks the
    // request and headers deadlines on a timer: every second, or sooner for short limits, so a deadline fires on time.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // Unknown fields are rejected, not stripped, and nothing is coerced: input is used exactly as sent.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors answered before routing, and requests Node cannot parse, in our shape too (see error-handler.ts).
    frameworkErrors,
    clientErrorHandler,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.floor(config.http.headersTimeoutMs / 4)),
      // Node's own answer to an HTTP/1.1 request without Host is an empty 400; the error handler gives ours instead.
      requireHostHeader: false
    }
  })
  // Only JSON (and forms where a route registers them) are bodies: text/plain is a CORS-safelisted type that a
  // cross-site page can send without a preflight, and nothing of ours reads it, so it is 415 like any unknown type.
  app.removeContentTypeParser('text/plain')

  await app.register(configPlugin, { config, clock: options.clock ?? Date.now, storeClock: options.storeClock })
  await app.register(routeTable)
  await app.register(errorHandler)
  await app.register(cors)
  await app.register(bodyParsers)
  await app.register(audit)
  await app.register(overload)
  await app.register(swagger)
  await app.register(redis)
  await app.register(rateLimits)
  await app.register(refreshCookie)
  await app.register(accessTokens, { keySet: options.keySet })
  await app.register(revocations)
  await app.register(users)
  await app.register(sessions, { refreshSecret: options.refreshSecret })
  await app.register(metrics)
  await app.register(authenticate)
  await app.register(revocationStream)

  await app.register(authLoginRoutes)
  await app.register(authRefreshRoutes)
  await app.register(passwordRoutes)
  await app.register(sessionRoutes)
  await app.register(adminRoutes)
  await app.register(meRoutes)
  await app.register(wellKnownRoutes)
  await app.register(healthRoutes)
  await app.register(revocationRoutes)
  // With METRICS_PORT set, server.ts serves the registry on that port alone and the main port has no /metrics.
  if (config.metrics.port === undefined) await app.register(metricsRoutes)
  return app
}
