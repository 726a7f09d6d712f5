// Scenario 3: logins (POST /auth/token with seeded emails and the shared password) beside argon2.verify alone at the
// app's hashing concurrency: how much of a login is the password hash.
import { createKeyNames } from '../../src/key-names.js'
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { ratio } from '../stats.js'
import type { BenchResults, Rate } from '../types.js'

// A login takes tens of milliseconds of argon2, queued behind the others: a phase needs room for many of them (the
// smoke run's half-second phases on a busy host once finished without one).
const MIN_LOGIN_PHASE_SECONDS = 2

export async function runLogin (ctx: BenchContext): Promise<BenchResults['login']> {
  const { bench, appConfig, seed } = ctx
  const seconds = Math.max(bench.seconds, MIN_LOGIN_PHASE_SECONDS)
  const emailsFile = writeLines(ctx, 'emails', seed.users.map((u) => u.email))
  ctx.log(`scenario 3: POST /auth/token, ${bench.loginConnections} connections (argon2 concurrency ${appConfig.passwordHashing.concurrency})`)
  const app = await measurePhase(ctx, {
    url: ctx.servers.a.url, kind: 'login', valuesFile: emailsFile, password: ctx.password, connections: bench.loginConnections, seconds
  })
  // Every seeded user stores the same hash of the shared password; the baseline verifies exactly that hash.
  const hash = await ctx.redis.hget(createKeyNames(appConfig.redis.keyPrefix).user(seed.users[0]!.userId), 'ph')
  if (hash === null) throw new Error('the seeded user has no password hash')
  ctx.log('scenario 3: raw argon2.verify baseline')
  const rawArgon2 = await ctx.baselines.call<Rate & { concurrency: number }>('argon2', {
    hash, password: ctx.password, concurrency: appConfig.passwordHashing.concurrency, seconds
  })
  ctx.log(`  ${rawArgon2.perSecond.toFixed(1)} verifications/s`)
  return { app, rawArgon2, ratio: ratio(app.rps, rawArgon2.perSecond) }
}
