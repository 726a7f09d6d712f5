// `npm run bench`: proves (or disproves) the scale targets of issues 4, 9 and 10 in one command that ends by itself.
// Starts its own redis-server, app instances and resource servers, seeds BENCH_USERS users, runs the scenarios and the
// verifier micro-benchmark, each beside its baseline measured in the same run on the same core, then prints a table and
// writes the same figures to bench/results/latest.json. Progress goes to stderr, the report to stdout.
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Redis } from 'ioredis'
import { loadConfig } from '../src/config.js'
import { freePort, startRedisServer } from '../src/redis-server.js'
import { seedUsers } from '../src/seed/seed-users.js'
import { generateKeySetJson, loadKeySet } from '../src/tokens/key-set.js'
import { REPO_ROOT, startChild, type Child } from './child.js'
import { parseBenchConfig } from './config.js'
import type { BenchContext } from './context.js'
import { describeMachine, loadAverage } from './machine.js'
import { detectPinning, pinRunningProcess } from './pinning.js'
import { formatReport } from './report.js'
import { runCelebrity } from './scenarios/celebrity.js'
import { runLogin } from './scenarios/login.js'
import { runLoginStorm } from './scenarios/login-storm.js'
import { runMemory } from './scenarios/memory.js'
import { runPeerOidc } from './scenarios/peer-oidc.js'
import { runPeerSession } from './scenarios/peer-session.js'
import { runPropagation } from './scenarios/propagation.js'
import { runResourceServerVerify } from './scenarios/resource-server-verify.js'
import { runRefresh } from './scenarios/refresh.js'
import { runRevocation } from './scenarios/revocation.js'
import { runValidation } from './scenarios/validation.js'
import { startResourceServers } from './resource-servers.js'
import { withRatios } from './stats.js'
import { evaluateTargets, type Measured } from './targets.js'
import type { BenchResults, VerifierRates } from './types.js'

const NOTE = 'One run: absolute figures depend on the machine and whatever else it runs; each ratio compares a ' +
  'scenario with its baseline measured in this run on the same core.'

const startedMs = Date.now()
const log = (message: string) => console.error(`[${((Date.now() - startedMs) / 1000).toFixed(1)} s] ${message}`)
const bench = parseBenchConfig(process.env, REPO_ROOT)
const pinning = detectPinning(bench.pin)
log(`pinning: ${pinning.detail}`)

const cleanups: Array<() => Promise<unknown> | unknown> = []
const cleanUp = async () => { for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined) }
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { void cleanUp().then(() => process.exit(130)) })

try {
  const workDir = mkdtempSync(join(tmpdir(), 'rotor-bench-'))
  cleanups.push(() => rmSync(workDir, { recursive: true, force: true }))
  const redisProcess = await startRedisServer()
  cleanups.push(() => redisProcess.stop())
  pinRunningProcess(redisProcess.process.pid!, pinning.serverCore)
  const redis = new Redis(redisProcess.url, { enableAutoPipelining: true })
  cleanups.push(() => redis.disconnect())

  // Fresh keys and secrets per run: nothing here is ever a credential outside this run.
  const keysJson = await generateKeySetJson(bench.alg)
  const refreshSecret = randomBytes(32).toString('base64url')
  const password = `bench-${randomBytes(9).toString('base64url')}`
  const feedCredential = randomBytes(32).toString('base64url')
  const appEnv: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    REDIS_URL: redisProcess.url,
    JWT_ALG: bench.alg,
    JWT_KEYS: keysJson,
    REFRESH_TOKEN_SECRET: refreshSecret,
    LOG_LEVEL: 'warn',
    // Room for every seeded user's token: "warm" must mean every request is a hit.
    ACCESS_TOKEN_CACHE_MAX_ENTRIES: String(Math.max(100_000, bench.users)),
    // All load comes from one address; the per-IP limits would turn the benchmark into a 429 benchmark.
    RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '0',
    RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '0',
    RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '0',
    // The bench drives the app to saturation on purpose (and the smoke test runs it on busy CI hosts): shedding would
    // turn that into 503s and measure the guard instead of the service.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    // The revocation feed the resource servers of scenarios 7 and 8 follow.
    REVOCATION_FEED_CREDENTIALS: feedCredential
  }
  const appConfig = loadConfig(appEnv)
  const keySet = loadKeySet(keysJson, bench.alg)
  const machine = await describeMachine(redis)

  const startServer = async (extraEnv: Record<string, string> = {}): Promise<{ child: Child, url: string }> => {
    const port = await freePort()
    const child = startChild('./bench-server.ts', { core: pinning.serverCore, env: { ...appEnv, ...extraEnv, PORT: String(port) } })
    cleanups.push(() => child.stop())
    return { child, url: `http://127.0.0.1:${port}` }
  }
  // B differs only in its libuv pool's priority, which only scenario 6 (argon2 beside /me) can tell apart.
  const servers = { a: await startServer(), b: await startServer({ PASSWORD_HASH_THREAD_NICE: String(bench.stormPoolNice) }) }
  const load = startChild('./load.ts', { core: pinning.loadCore })
  const baselines = startChild('./baselines.ts', { core: pinning.serverCore })
  cleanups.push(() => load.stop(), () => baselines.stop())

  log(`seeding ${bench.users} users (one session and access token each)`)
  const seed = await seedUsers({ redis, config: appConfig, keySet, refreshSecret }, {
    count: bench.users, password, progressEvery: 25_000, onProgress: (done) => log(`  seeded ${done}`)
  })
  await Promise.all([servers.a.child.ready, servers.b.child.ready, load.ready, baselines.ready])
  const ctx: BenchContext = {
    bench, pinning, appConfig, appEnv, keysJson, keySet, refreshSecret, redisProcess, redis, servers, load, baselines, seed, password, workDir, log
  }

  log('verifier micro-benchmark (jose, fast-jwt, Rotor, crypto.verify; EdDSA and ES256)')
  const verifierRates = await baselines.call<Record<'EdDSA' | 'ES256', VerifierRates>>('verifiers', { seconds: bench.microSeconds })
  const validation = await runValidation(ctx)
  // Before anything revokes or rotates a seeded user's session: the peer comparison uses every one of them.
  const peerSession = await runPeerSession(ctx)
  const refresh = await runRefresh(ctx)
  const peerOidc = await runPeerOidc(ctx, refresh)
  const login = await runLogin(ctx)
  const loginStorm = await runLoginStorm(ctx)
  const revocation = await runRevocation(ctx, validation.warm.rps)
  const celebrity = await runCelebrity(ctx)
  log('scenarios 7 and 8: starting three resource servers (@rotor/verify), following A, B and A')
  const resourceServers = await startResourceServers(ctx, [servers.a, servers.b, servers.a], feedCredential)
  cleanups.push(...resourceServers.map((rs) => () => rs.child.stop()))
  const resourceServer = await runResourceServerVerify(ctx, resourceServers[0]!)
  const propagation = await runPropagation(ctx, resourceServers)
  await Promise.all([...resourceServers.map((rs) => rs.child.stop()), servers.a.child.stop(), servers.b.child.stop(), load.stop()])
  const memory = await runMemory(ctx)

  const measured: Measured = {
    version: 1,
    startedAt: new Date(startedMs).toISOString(),
    finishedAt: new Date().toISOString(),
    totalSeconds: (Date.now() - startedMs) / 1000,
    note: NOTE,
    machine: { ...machine, loadAverageAtEnd: loadAverage() },
    pinning,
    settings: {
      users: bench.users, secondsPerPhase: bench.seconds, rounds: bench.rounds, connections: bench.connections, alg: bench.alg,
      revocationUsers: bench.revocationUsers, propagationUsers: bench.propagationUsers, memoryUsers: bench.memoryUsers, celebritySessions: bench.celebritySessions,
      loginConnections: bench.loginConnections, evalshaConcurrency: bench.evalshaConcurrency, stormMeRate: bench.stormMeRate,
      stormLoginRate: bench.stormLoginRate, stormConnections: bench.stormConnections, stormPoolNice: bench.stormPoolNice, microSecondsPerVerifier: bench.microSeconds,
      accessTokenCacheMaxEntries: appConfig.jwt.accessTokenCacheMaxEntries, passwordHashConcurrency: appConfig.passwordHashing.concurrency,
      smoke: bench.smoke
    },
    validation,
    refresh,
    login,
    loginStorm,
    revocation,
    memory,
    celebrity,
    resourceServer,
    propagation,
    peerSession,
    peerOidc,
    verifiers: withRatios(verifierRates)
  }
  const results: BenchResults = { ...measured, targets: evaluateTargets(measured) }
  mkdirSync(dirname(bench.out), { recursive: true })
  writeFileSync(bench.out, JSON.stringify(results, null, 2) + '\n')
  console.log(formatReport(results))
  log(`wrote ${bench.out}`)
} finally {
  await cleanUp()
}
