// Scenario 6: one "celebrity" account with BENCH_CELEBRITY_SESSIONS sessions (10,000 by default) must not slow Redis
// for anyone (issue 9). (a) Redis-side cost of a login (the create-family script, SLOWLOG microseconds, median of
// calls interleaved with logins on one-session accounts, so both see the same machine). (b) Other users' refreshes
// through instance A, alone and while the celebrity logs in CELEBRITY_LOGINS_PER_SECOND times a second, in the same run:
// more than the app's argon2 would let through for all accounts together, and paced so that this process, which also
// drives the refreshes and times them, is not itself the bottleneck.
// Sessions are created through the session store with no limit, as an account grown before MAX_SESSIONS_PER_USER
// (no argon2: the cost under test is Redis's).
import { createKeyNames } from '../../src/key-names.js'
import { createRefreshTokenCodec, randomId } from '../../src/sessions/refresh-token.js'
import { createSessionStore } from '../../src/sessions/session-store.js'
import { createUserStore } from '../../src/users/user-store.js'
import type { BenchContext } from '../context.js'
import { closeAgent, postJson } from '../http.js'
import { scriptMicros } from '../script-cost.js'
import { median, percentiles, ratio } from '../stats.js'
import type { BenchResults } from '../types.js'

const LOGINS = 31
const OTHER_USERS = 20
const REFRESHES_PER_PHASE = 400
const CELEBRITY_LOGINS_PER_SECOND = 200
const DEVICE = { userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0.0.0 Safari/537.36', ip: '203.0.113.7' }

export async function runCelebrity (ctx: BenchContext): Promise<BenchResults['celebrity']> {
  const { appConfig, redis } = ctx
  const sessions = ctx.bench.celebritySessions
  const keys = createKeyNames(appConfig.redis.keyPrefix)
  const users = createUserStore({ redis, keys, nowMs: Date.now })
  const store = (maxSessionsPerUser: number) => createSessionStore({
    redis, keys, codec: createRefreshTokenCodec(ctx.refreshSecret), policy: { ...appConfig.refresh, maxSessionsPerUser }
  })
  const unlimited = store(0)
  const limited = store(appConfig.refresh.maxSessionsPerUser) // what the app's login runs
  const newUser = async (): Promise<string> => (await users.create({ email: `celebrity-${randomId().toLowerCase()}@bench.example`, passwordHash: 'unused' }))!.id
  const login = async (s: typeof unlimited, userId: string) => {
    const created = await s.createFamily({ userId, ...DEVICE })
    if (!created.ok) throw new Error(`cannot create a session: ${created.reason}`)
    return created.issued
  }

  ctx.log(`scenario 6: an account with ${sessions} sessions, ${LOGINS} one-session accounts, ${OTHER_USERS} other users`)
  const celebrity = await newUser()
  for (let done = 0; done < sessions; done += 500) {
    await Promise.all(Array.from({ length: Math.min(500, sessions - done) }, () => login(unlimited, celebrity)))
  }
  const singles = await Promise.all(Array.from({ length: LOGINS }, newUser))
  for (const id of singles) await login(unlimited, id)

  const micros = await scriptMicros(redis, 'create-family', [...singles, celebrity].map((id) => keys.user(id)), async () => {
    for (const id of singles) { await login(limited, id); await login(limited, celebrity) }
  })
  const oneSession = median(micros.filter((_, i) => i % 2 === 0))
  const big = median(micros.filter((_, i) => i % 2 === 1))
  ctx.log(`  login inside Redis: one session ${oneSession} µs, ${sessions} sessions ${big} µs (median)`)

  const tokens = await Promise.all(Array.from({ length: OTHER_USERS }, async () => login(unlimited, await newUser()).then((i) => i.token)))
  const refreshPhase = async (meanwhile: boolean) => {
    let stop = false
    let celebrityLogins = 0
    const background = meanwhile
      ? (async () => {
          const startedAt = performance.now()
          while (!stop) {
            await login(limited, celebrity)
            celebrityLogins++
            const due = startedAt + celebrityLogins * 1000 / CELEBRITY_LOGINS_PER_SECOND
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())))
          }
        })()
      : Promise.resolve()
    const latencies: number[] = []
    try {
      for (let i = 0; i < REFRESHES_PER_PHASE; i++) {
        const which = i % tokens.length
        const sentAt = performance.now()
        const res = await postJson(`${ctx.servers.a.url}/auth/refresh`, { refresh_token: tokens[which] })
        latencies.push(performance.now() - sentAt)
        if (res.status !== 200) throw new Error(`another user's refresh answered ${res.status}`)
        tokens[which] = String(res.body?.refresh_token)
      }
    } finally {
      stop = true
      await background
    }
    return { latencyMs: percentiles(latencies), celebrityLogins }
  }
  try {
    const alone = await refreshPhase(false)
    const meanwhile = await refreshPhase(true)
    ctx.log(`  other users' refresh p50/p99: alone ${fmt(alone.latencyMs.p50)}/${fmt(alone.latencyMs.p99)} ms, ` +
      `meanwhile ${fmt(meanwhile.latencyMs.p50)}/${fmt(meanwhile.latencyMs.p99)} ms (${meanwhile.celebrityLogins} celebrity logins)`)
    return {
      sessions,
      loginRedisMicros: { oneSession, celebrity: big, ratio: ratio(big, oneSession) },
      otherRefreshMs: { alone: alone.latencyMs, meanwhile: meanwhile.latencyMs, celebrityLogins: meanwhile.celebrityLogins },
      otherRefreshP99Ratio: ratio(meanwhile.latencyMs.p99, alone.latencyMs.p99)
    }
  } finally {
    closeAgent()
  }
}

const fmt = (ms: number): string => ms.toFixed(1)
