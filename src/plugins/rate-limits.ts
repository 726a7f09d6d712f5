// Per-client-IP rate limits on the unauthenticated auth routes (OWASP Authentication Cheat Sheet; ASVS 2.2.1, 11.1.4),
// counted in Redis so every instance shares them: @fastify/rate-limit's Redis store on the app's ioredis client,
// fixed windows, one counter per route and IP (an IPv6 client counts per /64, the plugin's default), each with a TTL
// of its window. Routes opt in with `config: { rateLimit: app.rateLimits.login }`. request.ip is the socket address
// unless TRUST_PROXY names the proxies, so a client cannot pick its own key with X-Forwarded-For.
// A 429 goes through the error table (rate_limited, Retry-After in seconds) and the audit channel.
// In a region of a Cluster spanning regions (REDIS_HOME_SLOTS), the counters are the region's: all on its home
// master, so a limited request crosses no region for its count; a client spreading requests over the regions gets
// each region's limit (docs/regions.md#what-stays-global). The per-account login lock-out stays one count worldwide.
import fp from 'fastify-plugin'
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit'
import { errors, withRetryAfter } from '../errors.js'
import { createKeyNames } from '../key-names.js'
import { homeTag } from '../users/home-slots.js'

/** Limit names: a closed set, used as the `limit` label of rotor_rate_limited_total. */
export type RateLimitName = 'login_ip' | 'refresh_ip' | 'register_ip'

declare module 'fastify' {
  interface FastifyInstance {
    /** Route-level options for `config.rateLimit`; false when the limit is configured off (0). */
    rateLimits: Record<'login' | 'refresh' | 'register', RateLimitOptions | false>
  }
}

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000

export default fp(async (app) => {
  const { rateLimits, redis } = app.config
  await app.register(rateLimit, {
    global: false, // only routes that name a limit
    redis: app.redis,
    nameSpace: createKeyNames(redis.keyPrefix).rateLimitNamespace(redis.homeSlots === undefined ? undefined : homeTag('rate-limit', redis.homeSlots)),
    // Fail open when Redis errors: every limited route needs Redis for its own work, so it answers 503 anyway and
    // nothing is gained by refusing earlier, while a 500 from the limiter would hide the real state.
    skipOnError: true,
    addHeaders: { 'retry-after': false }, // set by the error handler from the error, like every Retry-After
    errorResponseBuilder: (_request, context) => withRetryAfter(errors.rateLimited(), context.ttl / 1000)
  })

  const limit = (name: RateLimitName, max: number, timeWindow: number): RateLimitOptions | false => max === 0
    ? false
    : { max, timeWindow, onExceeded: (request) => { app.audit(request, { event: 'rate_limited', limit: name }) } }

  app.decorate('rateLimits', {
    login: limit('login_ip', rateLimits.loginPerIpPerMinute, MINUTE_MS),
    refresh: limit('refresh_ip', rateLimits.refreshPerIpPerMinute, MINUTE_MS),
    register: limit('register_ip', rateLimits.registerPerIpPerHour, HOUR_MS)
  })
}, { name: 'rate-limits', dependencies: ['config', 'redis', 'audit', 'error-handler'] })
