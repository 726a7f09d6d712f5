// Configuration: one TypeBox schema over the environment, validated once at boot.
// Units are in the names; every variable is documented in the README's configuration table.
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { availableParallelism } from 'node:os'
import { ConfigError } from './config-error.js'
import { STORE_RETRY_AFTER_SECONDS } from './errors.js'
import { parseRevocationFeed, type RevocationFeedConfig } from './config-feed.js'
import { describe, parseOrigins, parseRedisTopology, parseSlotRanges, parseTrustProxy, type RedisTopology } from './config-values.js'

/** Slack for a client's retry to travel back to Redis (balancer, network, queueing), beyond its Retry-After. */
const RETRY_LATENCY_MARGIN_MS = 1000

const Bool = Type.Union([Type.Literal('true'), Type.Literal('false')])
const Int = (min: number, max: number, dflt: number, description: string) =>
  Type.String({ pattern: '^[0-9]+$', default: String(dflt), description, 'x-min': min, 'x-max': max })

/** The environment as Rotor reads it: every value is a string, defaults applied before checking. */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PORT: Int(1, 65535, 3000, 'HTTP port'),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  REDIS_KEY_PREFIX: Type.String({ pattern: '^[A-Za-z0-9:_.-]{0,64}$', default: 'rotor:' }),
  REDIS_CONNECT_TIMEOUT_MS: Int(100, 60000, 2000, 'connect timeout'),
  REDIS_COMMAND_TIMEOUT_MS: Int(50, 60000, 1000, 'per-command timeout'),
  REDIS_SENTINELS: Type.Optional(Type.String({ minLength: 1, description: 'comma list of Sentinel host:port; connect to the primary they name' })),
  REDIS_SENTINEL_NAME: Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$', default: 'mymaster' }),
  REDIS_SENTINEL_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_CLUSTER_NODES: Type.Optional(Type.String({ minLength: 1, description: 'comma list of Redis Cluster seed host:port' })),
  REDIS_CLUSTER_NAT_MAP: Type.Optional(Type.String({ minLength: 1, description: 'comma list of announcedHost:port=host:port: where to connect for each announced Cluster node' })),
  REDIS_LOCAL_NODES: Type.Optional(Type.String({ minLength: 1, description: 'comma list of host:port: the Cluster nodes in this instance\'s region, as it connects to them; stale-tolerant reads go to them' })),
  REDIS_HOME_SLOTS: Type.Optional(Type.String({ minLength: 1, description: 'Cluster slot ranges (from-to,...) of this region\'s master: new user ids are drawn in them' })),
  REDIS_WAIT_REPLICAS: Int(0, 100, 0, 'replicas that must acknowledge a session write (WAIT); 0 = off'),
  REDIS_WAIT_TIMEOUT_MS: Int(1, 60000, 500, 'how long a session write waits for those replicas'),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'http://localhost:3000' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'rotor' }),
  JWT_CLIENT_ID: Type.String({ minLength: 1, default: 'rotor' }),
  JWT_ALG: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256')], { default: 'EdDSA' }),
  JWT_KEYS: Type.Optional(Type.String({ minLength: 1 })),
  JWT_KEYS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_SIGNING_KID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'kid of the key that signs; unset = the first key of JWT_ALG' })),
  JWT_CLOCK_TOLERANCE_SECONDS: Int(0, 300, 10, 'leeway for iat/nbf/exp'),
  REFRESH_TOKEN_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  ACCESS_TOKEN_TTL_SECONDS: Int(30, 86400, 900, 'access-token lifetime'),
  ACCESS_TOKEN_CACHE_MAX_ENTRIES: Int(0, 10000000, 100000, 'verified access tokens kept per process; 0 = off'),
  USER_EMAIL_CACHE_MAX_ENTRIES: Int(0, 10000000, 100000, 'user emails /me remembers per process; 0 = off'),
  REFRESH_IDLE_TTL_SECONDS: Int(60, 31536000, 604800, 'sliding idle timeout'),
  REFRESH_ABSOLUTE_TTL_SECONDS: Int(60, 31536000, 2592000, 'absolute lifetime'),
  REFRESH_REUSE_GRACE_SECONDS: Int(0, 60, 10, 'grace window for the immediate predecessor'),
  // At most 255: the count is one byte of the family record (family-state.lua); a bigger limit would wrap it.
  REFRESH_GRACE_MAX_REPLAYS: Int(0, 255, 100, 'replays allowed inside the grace window'),
  MAX_SESSIONS_PER_USER: Int(0, 1000, 100, 'families per user (least recently used deleted beyond it); 0 = unlimited'),
  REVOCATION_RESYNC_INTERVAL_MS: Int(250, 60000, 5000, 'how often the revocation log is re-read, bounding any pub/sub gap'),
  REVOCATION_FEED_ENABLED: Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('auto')], { default: 'auto' }),
  REVOCATION_FEED_OPEN: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  REVOCATION_FEED_CREDENTIALS: Type.Optional(Type.String({ minLength: 1 })),
  REVOCATION_FEED_MAX_SUBSCRIBERS: Int(1, 1000000, 1000, 'feed subscribers per instance; beyond it 503'),
  REVOCATION_FEED_HEARTBEAT_SECONDS: Int(1, 300, 15, 'feed heartbeat interval'),
  REVOCATION_FEED_BUFFER_EVENTS: Int(1, 10000000, 10000, 'recent feed events kept in memory for resumption'),
  REVOCATION_FEED_SUBSCRIBER_BUFFER_BYTES: Int(4096, 1073741824, 1048576, 'unread output per feed subscriber before it is disconnected'),
  METRICS_PORT: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'serve /metrics on this port only; unset = on the main port', 'x-min': 1, 'x-max': 65535 })),
  METRICS_HOST: Type.Optional(Type.String({ minLength: 1, description: 'listen address of METRICS_PORT; default HOST' })),
  METRICS_ACTIVE_SESSIONS_FLUSH_INTERVAL_MS: Int(100, 60000, 5000, 'how often used session ids are written to the active-sessions counters'),
  METRICS_ACTIVE_SESSIONS_CACHE_SECONDS: Int(0, 3600, 30, 'how long a scrape reuses the active-sessions count'),
  COOKIE_SECURE: Bool,
  ALLOWED_ORIGINS: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({ default: 'false' }),
  BODY_LIMIT_BYTES: Int(1024, 65536, 4096, 'body limit on auth routes'),
  HTTP_REQUEST_TIMEOUT_MS: Int(1000, 300000, 10000, 'whole request (headers and body) must arrive within this; else 408 and closed'),
  HTTP_HEADERS_TIMEOUT_MS: Int(1000, 300000, 5000, 'request headers must arrive within this; at most HTTP_REQUEST_TIMEOUT_MS'),
  HTTP_IDLE_TIMEOUT_MS: Int(1000, 3600000, 30000, 'a connection with no bytes either way this long is closed'),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: Int(1000, 3600000, 72000, 'an idle keep-alive connection is closed after this'),
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: Int(0, 1000000, 30, 'POST /auth/token requests per client IP per minute; 0 = off'),
  RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: Int(0, 1000000, 120, 'POST /auth/refresh requests per client IP per minute; 0 = off'),
  RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: Int(0, 1000000, 20, 'POST /auth/register requests per client IP per hour; 0 = off'),
  LOGIN_LOCKOUT_AFTER_FAILURES: Int(0, 1000, 5, 'failed logins per account before it is locked; 0 = off'),
  LOGIN_FAILURE_WINDOW_SECONDS: Int(1, 86400, 900, 'failures are forgotten after this long without one (and without a lock)'),
  LOGIN_LOCKOUT_BASE_SECONDS: Int(1, 86400, 30, 'first lock; each further failure doubles it'),
  LOGIN_LOCKOUT_MAX_SECONDS: Int(1, 86400, 900, 'cap of one lock'),
  PASSWORD_HASH_CONCURRENCY: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'argon2 jobs running at once; unset = from the cores', 'x-min': 1, 'x-max': 256 })),
  PASSWORD_HASH_QUEUE_MAX: Int(0, 100000, 32, 'argon2 jobs allowed to wait; beyond it 503'),
  PASSWORD_HASH_THREAD_NICE: Int(0, 19, 0, 'Linux nice value of the libuv pool threads (argon2); 0 = unchanged'),
  // Read by libuv when the process starts (before any of our code runs), not by Rotor; here to size argon2 under it.
  UV_THREADPOOL_SIZE: Int(1, 1024, 4, 'libuv thread-pool size'),
  PASSWORD_MIN_STRENGTH_SCORE: Int(0, 4, 3, 'zxcvbn score (0-4) a new password needs; 0 = common-password list only'),
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: Int(0, 60000, 1000, 'shed load above this mean event-loop delay; 0 = off'),
  OVERLOAD_MAX_EVENT_LOOP_UTILIZATION_PERCENT: Int(0, 100, 0, 'shed load above this event-loop utilisation; 0 = off'),
  OVERLOAD_MAX_HEAP_USED_BYTES: Int(0, 1099511627776, 0, 'shed load above this V8 heap use; 0 = off'),
  OVERLOAD_MAX_RSS_BYTES: Int(0, 1099511627776, 0, 'shed load above this resident set size; 0 = off'),
  OVERLOAD_SAMPLE_INTERVAL_MS: Int(10, 60000, 1000, 'how often the load is sampled'),
  SHUTDOWN_DRAIN_SECONDS: Int(0, 300, 5, 'after SIGTERM, report not ready and keep serving this long before closing'),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' })
}, { additionalProperties: true })
export type Env = Static<typeof EnvSchema>

/** Parsed configuration handed to buildApp: typed, with units in the names. */
export interface Config {
  env: 'development' | 'production' | 'test'
  host: string
  port: number
  redis: RedisConfig
  jwt: {
    issuer: string, audience: string, clientId: string, alg: 'EdDSA' | 'ES256'
    keys?: string, keysFile?: string, signingKid?: string, clockToleranceSeconds: number, accessTokenTtlSeconds: number, accessTokenCacheMaxEntries: number
  }
  refresh: {
    secret?: string, idleTtlSeconds: number, absoluteTtlSeconds: number
    reuseGraceSeconds: number, graceMaxReplays: number, maxSessionsPerUser: number
  }
  revocationResyncIntervalMs: number
  /** The feed other services subscribe to (src/config-feed.ts). */
  revocationFeed: RevocationFeedConfig
  /** port unset: /metrics is served by the main server. */
  metrics: { port?: number, host: string, activeSessionsFlushIntervalMs: number, activeSessionsCacheSeconds: number }
  cookieSecure: boolean
  allowedOrigins: string[]
  trustProxy: boolean | string | number
  bodyLimitBytes: number
  /** Slow clients (slowloris): limits on receiving a request, and on idle and keep-alive connections. */
  http: { requestTimeoutMs: number, headersTimeoutMs: number, idleTimeoutMs: number, keepAliveTimeoutMs: number }
  /** Per client IP, shared by every instance through Redis; 0 = no limit. */
  rateLimits: { loginPerIpPerMinute: number, refreshPerIpPerMinute: number, registerPerIpPerHour: number }
  /** Per-account back-off on failed logins; afterFailures 0 = off. */
  loginLockout: { afterFailures: number, failureWindowSeconds: number, baseSeconds: number, maxSeconds: number }
  passwordHashing: { concurrency: number, queueMax: number, threadNice: number, poolSize: number }
  /** zxcvbn score a new password needs, beside the common-password list; 0 = the list only. */
  passwordMinStrengthScore: number
  /** Emails GET /me remembers per process (they never change); 0 = read the store on every call. */
  userEmailCacheMaxEntries: number
  /** Load shedding (503) when this process is saturated; each threshold 0 = not checked. */
  overload: { maxEventLoopDelayMs: number, maxEventLoopUtilizationPercent: number, maxHeapUsedBytes: number, maxRssBytes: number, sampleIntervalMs: number }
  /** After SIGTERM: seconds of reporting not-ready on /readyz while still serving, before closing. */
  shutdownDrainSeconds: number
  logLevel: string
}

export interface RedisConfig {
  /** Standalone: the server. Sentinel and Cluster: only its credentials, TLS (rediss://) and (Sentinel) database. */
  url: string
  keyPrefix: string
  connectTimeoutMs: number
  commandTimeoutMs: number
  topology: RedisTopology
  /** Cluster only: the home region's slot ranges; new users get ids in them (src/users/home-slots.ts). */
  homeSlots?: Array<[number, number]>
  /** Replicas that must acknowledge a session write before it is answered (WAIT); 0 = off. */
  waitReplicas: number
  waitTimeoutMs: number
}

export { ConfigError }

const SECRET_VARS = new Set(['JWT_KEYS', 'REFRESH_TOKEN_SECRET', 'REDIS_SENTINEL_PASSWORD', 'REVOCATION_FEED_CREDENTIALS'])

/**
 * Validate the environment once. Throws ConfigError with one line naming the offending variable;
 * secret values are never echoed.
 */
export function loadConfig (source: Record<string, string | undefined>, machine: { cores: number } = { cores: availableParallelism() }): Config {
  const env: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key]
    if (value !== undefined && value !== '') env[key] = value
  }
  if (env.COOKIE_SECURE === undefined) env.COOKIE_SECURE = 'true'
  const withDefaults = Value.Default(EnvSchema, env) as Record<string, unknown>
  const first = Value.Errors(EnvSchema, withDefaults).First()
  if (first !== undefined) {
    const name = first.path.replace(/^\//, '')
    const shown = SECRET_VARS.has(name) ? '' : ` (got ${JSON.stringify(withDefaults[name])})`
    throw new ConfigError(`Invalid configuration: ${name} ${describe(name, first.message)}${shown}`)
  }
  const e = withDefaults as Env
  const int = (name: keyof Env): number => {
    const schema = EnvSchema.properties[name] as unknown as { 'x-min': number, 'x-max': number }
    const n = Number(e[name])
    if (!Number.isSafeInteger(n) || n < schema['x-min'] || n > schema['x-max']) {
      throw new ConfigError(`Invalid configuration: ${name} must be an integer from ${schema['x-min']} to ${schema['x-max']} (got ${JSON.stringify(e[name])})`)
    }
    return n
  }
  const config: Config = {
    env: e.NODE_ENV,
    host: e.HOST,
    port: int('PORT'),
    redis: {
      url: e.REDIS_URL,
      keyPrefix: e.REDIS_KEY_PREFIX,
      connectTimeoutMs: int('REDIS_CONNECT_TIMEOUT_MS'),
      commandTimeoutMs: int('REDIS_COMMAND_TIMEOUT_MS'),
      topology: parseRedisTopology(e),
      homeSlots: e.REDIS_HOME_SLOTS === undefined ? undefined : parseSlotRanges('REDIS_HOME_SLOTS', e.REDIS_HOME_SLOTS),
      waitReplicas: int('REDIS_WAIT_REPLICAS'),
      waitTimeoutMs: int('REDIS_WAIT_TIMEOUT_MS')
    },
    jwt: {
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      clientId: e.JWT_CLIENT_ID,
      alg: e.JWT_ALG,
      keys: e.JWT_KEYS,
      keysFile: e.JWT_KEYS_FILE,
      signingKid: e.JWT_SIGNING_KID,
      clockToleranceSeconds: int('JWT_CLOCK_TOLERANCE_SECONDS'),
      accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS'),
      accessTokenCacheMaxEntries: int('ACCESS_TOKEN_CACHE_MAX_ENTRIES')
    },
    refresh: {
      secret: e.REFRESH_TOKEN_SECRET,
      idleTtlSeconds: int('REFRESH_IDLE_TTL_SECONDS'),
      absoluteTtlSeconds: int('REFRESH_ABSOLUTE_TTL_SECONDS'),
      reuseGraceSeconds: int('REFRESH_REUSE_GRACE_SECONDS'),
      graceMaxReplays: int('REFRESH_GRACE_MAX_REPLAYS'),
      maxSessionsPerUser: int('MAX_SESSIONS_PER_USER')
    },
    revocationResyncIntervalMs: int('REVOCATION_RESYNC_INTERVAL_MS'),
    revocationFeed: parseRevocationFeed(e, int),
    metrics: {
      port: e.METRICS_PORT === undefined ? undefined : int('METRICS_PORT'),
      host: e.METRICS_HOST ?? e.HOST,
      activeSessionsFlushIntervalMs: int('METRICS_ACTIVE_SESSIONS_FLUSH_INTERVAL_MS'),
      activeSessionsCacheSeconds: int('METRICS_ACTIVE_SESSIONS_CACHE_SECONDS')
    },
    cookieSecure: e.COOKIE_SECURE === 'true',
    allowedOrigins: parseOrigins(e.ALLOWED_ORIGINS),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    bodyLimitBytes: int('BODY_LIMIT_BYTES'),
    http: {
      requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS'),
      headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS'),
      idleTimeoutMs: int('HTTP_IDLE_TIMEOUT_MS'),
      keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS')
    },
    rateLimits: {
      loginPerIpPerMinute: int('RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE'),
      refreshPerIpPerMinute: int('RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE'),
      registerPerIpPerHour: int('RATE_LIMIT_REGISTER_PER_IP_PER_HOUR')
    },
    loginLockout: {
      afterFailures: int('LOGIN_LOCKOUT_AFTER_FAILURES'),
      failureWindowSeconds: int('LOGIN_FAILURE_WINDOW_SECONDS'),
      baseSeconds: int('LOGIN_LOCKOUT_BASE_SECONDS'),
      maxSeconds: int('LOGIN_LOCKOUT_MAX_SECONDS')
    },
    passwordHashing: { concurrency: passwordHashConcurrency(e, int, machine.cores), queueMax: int('PASSWORD_HASH_QUEUE_MAX'),
      threadNice: int('PASSWORD_HASH_THREAD_NICE'), poolSize: int('UV_THREADPOOL_SIZE') },
    passwordMinStrengthScore: int('PASSWORD_MIN_STRENGTH_SCORE'),
    userEmailCacheMaxEntries: int('USER_EMAIL_CACHE_MAX_ENTRIES'),
    overload: {
      maxEventLoopDelayMs: int('OVERLOAD_MAX_EVENT_LOOP_DELAY_MS'),
      maxEventLoopUtilizationPercent: int('OVERLOAD_MAX_EVENT_LOOP_UTILIZATION_PERCENT'),
      maxHeapUsedBytes: int('OVERLOAD_MAX_HEAP_USED_BYTES'),
      maxRssBytes: int('OVERLOAD_MAX_RSS_BYTES'),
      sampleIntervalMs: int('OVERLOAD_SAMPLE_INTERVAL_MS')
    },
    shutdownDrainSeconds: int('SHUTDOWN_DRAIN_SECONDS'),
    logLevel: e.LOG_LEVEL
  }
  if (config.refresh.idleTtlSeconds > config.refresh.absoluteTtlSeconds) {
    throw new ConfigError('Invalid configuration: REFRESH_IDLE_TTL_SECONDS must not exceed REFRESH_ABSOLUTE_TTL_SECONDS')
  }
  if (config.env === 'production' && !config.cookieSecure) {
    throw new ConfigError('Invalid configuration: COOKIE_SECURE=false is a development setting and is refused in production')
  }
  if (config.metrics.port === config.port) {
    throw new ConfigError('Invalid configuration: METRICS_PORT must differ from PORT (unset it to serve /metrics on the main port)')
  }
  if (config.loginLockout.baseSeconds > config.loginLockout.maxSeconds) {
    throw new ConfigError('Invalid configuration: LOGIN_LOCKOUT_BASE_SECONDS must not exceed LOGIN_LOCKOUT_MAX_SECONDS')
  }
  if (config.redis.waitReplicas > 0 && config.redis.waitTimeoutMs >= config.redis.commandTimeoutMs) {
    // The WAIT rides in the same round trip as the write, so it must end before the client gives up on both.
    throw new ConfigError('Invalid configuration: REDIS_WAIT_TIMEOUT_MS must be below REDIS_COMMAND_TIMEOUT_MS')
  }
  const ambiguousMs = config.redis.commandTimeoutMs + STORE_RETRY_AFTER_SECONDS * 1000 + RETRY_LATENCY_MARGIN_MS
  if (config.refresh.reuseGraceSeconds > 0 && config.refresh.reuseGraceSeconds * 1000 < ambiguousMs) {
    // A rotation that timed out (503) may have been applied: the client's retry, Retry-After later, must still be
    // inside the grace window measured from when the script ran, or the client would be logged out as a reuser.
    throw new ConfigError(`Invalid configuration: REFRESH_REUSE_GRACE_SECONDS must be 0 (off) or at least ${Math.ceil(ambiguousMs / 1000)} ` +
      `(REDIS_COMMAND_TIMEOUT_MS + the ${STORE_RETRY_AFTER_SECONDS} s Retry-After of a 503 + ${RETRY_LATENCY_MARGIN_MS / 1000} s for the retry to arrive)`)
  }
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    throw new ConfigError('Invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS')
  }
  if (config.revocationFeed.enabled && config.revocationFeed.heartbeatSeconds * 1000 >= config.http.idleTimeoutMs) {
    // A stream is an idle connection between events: the heartbeat must come before the idle timeout closes it.
    throw new ConfigError('Invalid configuration: REVOCATION_FEED_HEARTBEAT_SECONDS must be below HTTP_IDLE_TIMEOUT_MS')
  }
  if (config.redis.homeSlots !== undefined && config.redis.topology.kind !== 'cluster') {
    // Slots exist only in a Cluster; elsewhere every user is on the one primary.
    throw new ConfigError('Invalid configuration: REDIS_HOME_SLOTS applies to a Redis Cluster only; set REDIS_CLUSTER_NODES too')
  }
  if (config.jwt.keys !== undefined && config.jwt.keysFile !== undefined) {
    throw new ConfigError('Invalid configuration: JWT_KEYS and JWT_KEYS_FILE are exclusive; set one')
  }
  return config
}

/**
 * argon2 jobs at once. Each keeps a core busy for tens of milliseconds, and the event loop (every token validation) needs
 * a core too: by default one core less than this process may use (os.availableParallelism(), which honours CPU
 * affinity), at least 1, and one thread less than libuv's pool, so file and DNS work always finds a thread. The pool
 * size is fixed when the process starts (ES modules are read through it before server.ts runs), so it is not raised
 * here: a larger concurrency needs UV_THREADPOOL_SIZE set in the environment that starts node.
 */
function passwordHashConcurrency (e: Env, int: (name: keyof Env) => number, cores: number): number {
  const poolSize = int('UV_THREADPOOL_SIZE')
  if (e.PASSWORD_HASH_CONCURRENCY === undefined) return Math.max(1, Math.min(cores - 1, poolSize - 1))
  const concurrency = int('PASSWORD_HASH_CONCURRENCY')
  if (concurrency >= poolSize) {
    throw new ConfigError(`Invalid configuration: PASSWORD_HASH_CONCURRENCY (${concurrency}) must be below UV_THREADPOOL_SIZE (${poolSize}): ` +
      `argon2 would hold every libuv thread; start node with UV_THREADPOOL_SIZE=${concurrency + 1} or more`)
  }
  return concurrency
}
