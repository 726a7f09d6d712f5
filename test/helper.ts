// Test harness: a real redis-server per test process (on a free port) when the binary is on PATH, else REDIS_URL;
// every app gets its own key prefix, so tests never see each other's keys.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Redis } from 'ioredis'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { generateKeySetJson, loadKeySet, type KeySet } from '../src/tokens/key-set.js'
import { redisServerInstalled, startRedisServer, type RedisProcess } from '../src/redis-server.js'

/** Anything with a teardown: the root tap object or a subtest. */
export type Test = { teardown: (fn: () => unknown) => void }

export const REFRESH_SECRET = 'test-refresh-secret-0123456789abcdef'
export const PASSWORD = 'correct horse battery staple'

let shared: Promise<RedisProcess | undefined> | undefined

/** The Redis URL for this test process: its own redis-server, or REDIS_URL when none can be started. */
export async function redisUrl (): Promise<string> {
  if (shared === undefined) {
    shared = redisServerInstalled() ? startRedisServer() : Promise.resolve(undefined)
    t.teardown(async () => { await (await shared)?.stop() })
  }
  return (await shared)?.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
}

const keySets = new Map<string, Promise<KeySet>>()
export function testKeySet (alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<KeySet> {
  if (!keySets.has(alg)) keySets.set(alg, generateKeySetJson(alg).then((json) => loadKeySet(json, alg)))
  return keySets.get(alg)!
}

/** A clock tests move by hand: expiry is tested by advancing it, never by sleeping. */
export function manualClock (startMs = Date.now()) {
  let now = startMs
  return { now: () => now, advance: (ms: number) => { now += ms } }
}

export interface TestAppOptions {
  env?: Record<string, string>
  clock?: () => number
  /**
   * The clock the store scripts decide windows on: by default the injected `clock` (so tests move expiry without
   * sleeping); 'redis' for Redis's own TIME, as in production.
   */
  storeClock?: (() => number) | 'redis'
  keySet?: KeySet
  redisUrl?: string
}

export function uniquePrefix (): string {
  return `test:${randomBytes(6).toString('hex')}:`
}

/** Build the app against real Redis with a fresh key prefix; closed when the test ends. */
export async function buildTestApp (test: Test, options: TestAppOptions = {}): Promise<FastifyInstance> {
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: options.redisUrl ?? await redisUrl(),
    REDIS_KEY_PREFIX: uniquePrefix(),
    ALLOWED_ORIGINS: 'https://app.example.com',
    LOG_LEVEL: 'silent',
    // Tests log in and register many times from 127.0.0.1, some in parallel: the limiters stay on (their code runs
    // in every test) with limits no other test reaches; the abuse-protection tests set their own.
    RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '100000',
    RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '100000',
    RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '100000',
    LOGIN_LOCKOUT_AFTER_FAILURES: '1000',
    // A busy CI host lags the event loop by seconds; shedding would turn that into 503s nobody is testing. The overload
    // tests set their own thresholds.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...options.env
  })
  const app = await buildApp({
    config,
    keySet: options.keySet ?? await testKeySet(config.jwt.alg),
    refreshSecret: REFRESH_SECRET,
    clock: options.clock,
    storeClock: options.storeClock === 'redis' ? undefined : options.storeClock ?? options.clock,
    logger: false
  })
  test.teardown(() => app.close())
  return app
}

/** A raw client for inspecting keys in tests. */
export async function rawRedis (test: Test, url?: string): Promise<Redis> {
  const redis = new Redis(url ?? await redisUrl())
  test.teardown(() => redis.quit())
  return redis
}

export function json<T = Record<string, unknown>> (res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T
}

export interface LoggedIn {
  userId: string
  email: string
  accessToken: string
  refreshToken: string
  sessionId: string
  cookie?: string
}

let counter = 0
export function uniqueEmail (): string {
  return `user${++counter}-${randomBytes(4).toString('hex')}@example.com`
}

export async function register (app: FastifyInstance, email = uniqueEmail(), password = PASSWORD): Promise<{ id: string, email: string }> {
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password } })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  return json(res)
}

export async function login (app: FastifyInstance, email: string, password = PASSWORD, delivery: 'body' | 'cookie' = 'body'): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: delivery === 'cookie' ? { 'x-requested-with': 'XMLHttpRequest' } : {},
    payload: { email, password, refresh_delivery: delivery }
  })
}

/** Register a fresh user and log in (body delivery unless asked). */
export async function registerAndLogin (app: FastifyInstance, delivery: 'body' | 'cookie' = 'body'): Promise<LoggedIn> {
  const user = await register(app)
  const res = await login(app, user.email, PASSWORD, delivery)
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  const body = json<{ access_token: string, refresh_token?: string, session_id: string }>(res)
  const cookie = res.cookies.find((c) => c.name.endsWith('rotor_refresh'))
  return {
    userId: user.id,
    email: user.email,
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? cookie?.value ?? '',
    sessionId: body.session_id,
    cookie: cookie?.value
  }
}

export function refresh (app: FastifyInstance, refreshToken: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: refreshToken } })
}

/** Generous on purpose: a loaded 2-core host can take seconds for what takes milliseconds idle. */
const LIVENESS_BOUND_MS = 30_000

/** A liveness bound, not a benchmark: a request stuck behind a dead store would never settle at all. */
export async function answered<T> (what: string, request: PromiseLike<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${LIVENESS_BOUND_MS} ms`)), LIVENESS_BOUND_MS)
  })
  try {
    return await Promise.race([request, bound])
  } finally {
    clearTimeout(timer)
  }
}

export function bearer (accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}` }
}
