// Benchmark settings from BENCH_* environment variables, checked once. BENCH_SMOKE=1 swaps in a tiny configuration
// (the smoke test runs the whole harness with it in seconds); a variable set explicitly still wins.
import { join } from 'node:path'

export interface BenchConfig {
  /** Distinct seeded users whose access tokens /me sees (scenario 1) and whose refresh tokens rotate (scenario 2). */
  users: number
  /** Length of each measured phase. */
  seconds: number
  /** Alternating bare and warm /me rounds; the round with the median ratio is reported. */
  rounds: number
  /** autocannon connections for /me and refresh phases. */
  connections: number
  alg: 'EdDSA' | 'ES256'
  /** K: users logged out everywhere in the revocation-propagation scenario. */
  revocationUsers: number
  /** Users logged out everywhere, one at a time, while three resource servers follow the feed (scenario 8). */
  propagationUsers: number
  /** Users seeded into a separate Redis for the memory scenario. */
  memoryUsers: number
  /** Sessions of the one big account in the celebrity scenario. */
  celebritySessions: number
  /** Client connections for logins: twice the server's argon2 concurrency keeps its semaphore busy without 503s. */
  loginConnections: number
  /** Login storm: paced /me rate measured alone and beside the flood, and the flood's login arrivals per second. */
  stormMeRate: number
  stormLoginRate: number
  /** Sockets the login flood keeps open (parallel logins in flight). */
  stormConnections: number
  /** Nice value of instance B's libuv pool in scenario 6's second pair (PASSWORD_HASH_THREAD_NICE). */
  stormPoolNice: number
  /** Concurrent rotations in flight from the raw EVALSHA baseline (auto-pipelined by ioredis). */
  evalshaConcurrency: number
  /** Time per verifier per algorithm in the micro-benchmark (split over three interleaved rounds). */
  microSeconds: number
  /** false: run unpinned even where taskset and two cores exist. */
  pin: boolean
  out: string
  smoke: boolean
}

const SMOKE: Record<string, string> = {
  BENCH_USERS: '200', BENCH_SECONDS: '0.5', BENCH_ROUNDS: '1', BENCH_CONNECTIONS: '10', BENCH_REVOCATION_USERS: '10', BENCH_PROPAGATION_USERS: '10',
  BENCH_MEMORY_USERS: '200', BENCH_CELEBRITY_SESSIONS: '1000', BENCH_EVALSHA_CONCURRENCY: '16', BENCH_MICRO_SECONDS: '0.15',
  BENCH_STORM_ME_RATE: '100', BENCH_STORM_LOGIN_RATE: '60', BENCH_STORM_CONNECTIONS: '30'
}

export class BenchConfigError extends Error {
  override name = 'BenchConfigError'
}

export function parseBenchConfig (source: Record<string, string | undefined>, repoRoot: string): BenchConfig {
  const smoke = source.BENCH_SMOKE === '1'
  const raw = (name: string): string | undefined => {
    const value = source[name]
    return value !== undefined && value !== '' ? value : smoke ? SMOKE[name] : undefined
  }
  const num = (name: string, dflt: number, min: number, max: number, integer = true): number => {
    const value = raw(name)
    const n = value === undefined ? dflt : Number(value)
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new BenchConfigError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${JSON.stringify(value)})`)
    }
    return n
  }
  const alg = raw('BENCH_ALG') ?? 'EdDSA'
  if (alg !== 'EdDSA' && alg !== 'ES256') throw new BenchConfigError(`BENCH_ALG must be EdDSA or ES256 (got ${JSON.stringify(alg)})`)
  const users = num('BENCH_USERS', 100_000, 20, 1_000_000)
  return {
    users,
    seconds: num('BENCH_SECONDS', 10, 0.5, 600, false),
    rounds: num('BENCH_ROUNDS', 2, 1, 20),
    connections: num('BENCH_CONNECTIONS', 50, 1, 10_000),
    alg,
    // Taken from the end of the seeded users, apart from the ones the refresh scenario rotates.
    revocationUsers: Math.min(num('BENCH_REVOCATION_USERS', 200, 1, 100_000), Math.floor(users / 4)),
    propagationUsers: Math.min(num('BENCH_PROPAGATION_USERS', 200, 1, 100_000), Math.floor(users / 4)),
    memoryUsers: num('BENCH_MEMORY_USERS', 20_000, 10, 1_000_000),
    celebritySessions: num('BENCH_CELEBRITY_SESSIONS', 10_000, 100, 1_000_000),
    loginConnections: num('BENCH_LOGIN_CONNECTIONS', 8, 1, 36),
    evalshaConcurrency: num('BENCH_EVALSHA_CONCURRENCY', 128, 1, 10_000),
    // 300 logins/s from 300 sockets: several times what one core of argon2id verifies (about 40/s), as in issue 9.
    stormMeRate: num('BENCH_STORM_ME_RATE', 1000, 1, 100_000),
    stormLoginRate: num('BENCH_STORM_LOGIN_RATE', 300, 1, 100_000),
    stormConnections: num('BENCH_STORM_CONNECTIONS', 300, 1, 10_000),
    stormPoolNice: num('BENCH_STORM_POOL_NICE', 19, 1, 19),
    microSeconds: num('BENCH_MICRO_SECONDS', 1.5, 0.05, 60, false),
    pin: raw('BENCH_PIN') !== '0',
    out: raw('BENCH_OUT') ?? join(repoRoot, 'bench', 'results', 'latest.json'),
    smoke
  }
}
