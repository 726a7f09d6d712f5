// The benchmark harness end to end in its tiny configuration (BENCH_SMOKE=1: 200 users, half-second phases): its own
// redis-server, two app instances, three resource servers, the pinned load generator and baselines. What is asserted is that every scenario
// and baseline yields real numbers and that the verdicts follow from them, never what the numbers are: a shared
// test machine makes any figure noise.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BenchConfigError, parseBenchConfig } from '../bench/config.js'
import { evaluateTargets } from '../bench/targets.js'
import type { BenchResults, LatencyMs, Phase } from '../bench/types.js'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'rotor-bench-smoke-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const out = join(dir, 'results.json')

const run = await new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
    cwd: repoRoot, env: { ...process.env, BENCH_SMOKE: '1', BENCH_OUT: out }
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d })
  child.stderr.on('data', (d: Buffer) => { stderr += d })
  child.once('exit', (code) => resolve({ code, stdout, stderr }))
})

const positive = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n > 0
const finiteLatency = (l: LatencyMs): boolean => [l.p50, l.p99, l.max].every((n) => Number.isFinite(n) && n >= 0)

// Without a results file there is nothing to check: fail the file with the harness's own account of why.
if (run.code !== 0) throw new Error(`the harness exited with ${run.code}:\n${run.stderr.slice(-3000)}`)
const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults

t.test('every /me phase answered 2xx with a rate and latencies, each beside its baseline', async (t) => {
  const v = results.validation
  const phases: Record<string, Phase> = { bare: v.bare, warmPrime: v.warmPrime, warm: v.warm, warmHalfRate: v.warmHalfRate, warmHalfRatePaced: v.warmHalfRatePaced, cold: v.cold }
  for (const [name, phase] of Object.entries(phases)) {
    t.ok(positive(phase.rps), `${name} rps`)
    t.equal(phase.non2xx + phase.errors, 0, `${name} had no failed requests`)
    t.ok(finiteLatency(phase.latencyMs), `${name} latencies`)
  }
  t.equal(v.warmPrime.ok, results.settings.users, 'priming sent each seeded token once and all were accepted')
  t.ok(positive(v.rawVerify.perSecond), 'raw crypto.verify rate')
  t.ok(v.coldTokens > 0)
  for (const r of Object.values(v.ratios)) t.ok(positive(r), 'ratio')
})

t.test('refresh rotations and logins succeed and are compared with raw EVALSHA and argon2', async (t) => {
  t.ok(positive(results.refresh.app.rps))
  t.equal(results.refresh.app.non2xx, 0, 'every seeded refresh token rotated once')
  t.ok(positive(results.refresh.rawEvalsha.perSecond))
  t.equal(results.refresh.rawEvalsha.failures, 0, 'every raw EVALSHA call really rotated')
  t.ok(positive(results.refresh.rawEvalshaSerial.perSecond))
  t.equal(results.refresh.rawEvalshaSerial.failures, 0, 'so did every one-at-a-time call')
  t.ok(positive(results.refresh.ratio))
  t.ok(positive(results.refresh.barePost.rps) && results.refresh.barePost.non2xx === 0, 'the bare POST answered 2xx')
  t.ok(positive(results.refresh.rawSign.perSecond), 'raw crypto.sign rate')
  const { partsBound, rawSign, barePost, rawEvalshaSerial } = results.refresh
  t.ok(positive(partsBound) && partsBound < Math.min(rawSign.perSecond, barePost.rps, rawEvalshaSerial.perSecond), 'the bound of the parts combines all three costs')
  t.ok(positive(results.refresh.ratioToParts))
  t.ok(results.login.app.ok > 0, 'logins with the shared seeded password succeed')
  t.equal(results.login.app.non2xx, 0)
  t.ok(positive(results.login.rawArgon2.perSecond))
  t.ok(positive(results.login.ratio))
})

t.test('the login storm measures /me alone and beside a login flood, and the flood is answered, shed or served', async (t) => {
  const { meQuiet, meStorm, logins, p99Ratio } = results.loginStorm
  for (const [name, phase] of Object.entries({ meQuiet, meStorm })) {
    t.ok(positive(phase.rps), `${name} rps`)
    t.equal(phase.non2xx + phase.errors, 0, `${name}: every /me answered 200`)
    t.ok(finiteLatency(phase.latencyMs), `${name} latencies`)
  }
  t.ok(logins.ok > 0, 'some logins were served')
  t.equal(logins.errors, 0, 'no login\'s socket failed')
  // How many a loaded machine answers before the phase gives up is timing; that each is accounted for is not.
  for (const flood of [logins, results.loginStorm.niced.logins]) {
    t.equal(flood.ok + flood.non2xx + flood.errors + flood.timeouts, Math.round(results.loginStorm.loginRate * Number(results.settings.secondsPerPhase)), 'every login due is counted once')
  }
  t.same(Object.keys(logins.statusCodes).filter((code) => code !== '200' && code !== '503'), [], 'every login was a 200 or a 503')
  t.ok(positive(p99Ratio))
})

t.test('every revoked token is refused by the other instance before the give-up time', async (t) => {
  const { underLoad, ...quiet } = results.revocation
  t.equal(quiet.users + underLoad.users, 10, 'half on idle instances, half while B is loaded')
  for (const run of [quiet, underLoad]) {
    t.equal(run.timeouts, 0)
    t.ok(finiteLatency(run.propagationMs))
    t.ok(finiteLatency(run.logoutAllMs))
  }
  t.ok(underLoad.load.ok > 0 && underLoad.load.non2xx + underLoad.load.errors === 0, 'B served its /me load, every answer 200')
  t.ok(positive(underLoad.loadRate))
})

t.test('memory per session is measured for both user agents, and a browser one does not change how the user hash is stored', async (t) => {
  const { seedUserAgent, browserUserAgent } = results.memory
  for (const variant of [seedUserAgent, browserUserAgent]) {
    t.ok(positive(variant.usedMemoryDeltaPerSession))
    t.ok(positive(variant.memoryUsage.perSession))
  }
  // Sessions store a summary of the user agent, so a long browser one costs no more than the seed's short one.
  t.ok(browserUserAgent.userAgentBytes > 64)
  t.equal(browserUserAgent.familyEncoding, seedUserAgent.familyEncoding)
})

t.test('the celebrity scenario measures both logins inside Redis and other users\' refreshes alone and meanwhile', async (t) => {
  const c = results.celebrity
  t.ok(c.sessions >= 100)
  for (const n of [c.loginRedisMicros.oneSession, c.loginRedisMicros.celebrity, c.loginRedisMicros.ratio, c.otherRefreshP99Ratio]) t.ok(positive(n))
  t.ok(finiteLatency(c.otherRefreshMs.alone))
  t.ok(finiteLatency(c.otherRefreshMs.meanwhile))
  t.ok(c.otherRefreshMs.celebrityLogins > 0, 'the celebrity logged in meanwhile')
})

t.test('a resource server with @rotor/verify answers every warm and cold /hello 2xx, beside its bare route and the raw verify bound', async (t) => {
  const rs = results.resourceServer
  const phases: Record<string, Phase> = { bare: rs.bare, warmPrime: rs.warmPrime, warm: rs.warm, cold: rs.cold }
  for (const [name, phase] of Object.entries(phases)) {
    t.ok(positive(phase.rps), `${name} rps`)
    t.equal(phase.non2xx + phase.errors, 0, `${name} had no failed requests`)
    t.ok(finiteLatency(phase.latencyMs), `${name} latencies`)
  }
  const { users, revocationUsers, propagationUsers } = results.settings
  t.equal(rs.warmPrime.ok, Number(users) - Number(revocationUsers) - Number(propagationUsers), 'priming sent every token that stays valid once, all accepted')
  t.ok(positive(rs.rawVerify.perSecond), 'raw crypto.verify rate')
  t.ok(positive(rs.coldBound) && rs.coldBound < rs.rawVerify.perSecond && rs.coldBound < rs.bare.rps, 'the cold bound combines both costs')
  t.ok(rs.coldTokens > 0)
  t.ok(positive(rs.ratios.warmVsBare), 'warm vs bare')
  t.ok(positive(rs.ratios.coldVsBound), 'cold vs the bound')
})

t.test('logout-all reaches each of three resource servers, which then answer 401', async (t) => {
  const p = results.propagation
  t.equal(p.resourceServers, 3)
  t.equal(p.users, 10)
  t.equal(p.samples, 30, 'one sample per user and resource server')
  t.equal(p.timeouts, 0)
  t.equal(p.acceptedAfterRejection, 0, 'once its verifier rejected the token, every resource server answered 401')
  for (const l of [p.fromResponseMs, p.fromRequestMs]) t.ok([l.p50, l.p99, l.max].every(Number.isFinite))
  t.ok(p.fromRequestMs.p50 >= p.fromResponseMs.p50, 'counted from sending is never shorter than from the answer')
  t.ok(finiteLatency(p.logoutAllMs))
})

t.test('the peer comparison serves every user\'s session from @fastify/session + connect-redis, at its defaults and in its favour, beside Rotor\'s /me, round by round', async (t) => {
  const p = results.peerSession
  t.equal(p.sessions, results.settings.users, 'one peer session per seeded user')
  for (const [name, phase] of Object.entries({ rotorWarm: p.rotorWarm, peer: p.peer, peerDefaults: p.defaults.peer, rotorVsDefaults: p.defaults.rotorWarm })) {
    t.ok(positive(phase.rps), `${name} rps`)
    t.equal(phase.non2xx + phase.errors, 0, `${name}: every /me answered 200`)
    t.ok(finiteLatency(phase.latencyMs), `${name} latencies`)
  }
  t.equal(p.rounds.length, results.settings.rounds, 'one ratio per configured round')
  t.ok(p.rounds.every((r) => positive(r.rotorVsPeer)), 'a ratio per round')
  t.ok(p.rounds.some((r) => r.rotorVsPeer === p.ratio), 'the reported ratio is one of the rounds')
  t.ok(p.rounds.some((r) => r.rotorVsPeerDefaults === p.defaults.ratio), 'so is the ratio to the peer at its defaults')
  t.ok(p.rounds.every((r) => positive(r.peerDefaultsRps) && positive(r.rotorVsPeerDefaults)), 'the peer at its defaults measured each round')
  t.ok(positive(p.ratioByCpu) && positive(p.defaults.ratioByCpu), 'CPU per request compared too')
})

t.test('node-oidc-provider rotates as many refresh tokens as Rotor did, each once, beside Rotor\'s refresh rate', async (t) => {
  const p = results.peerOidc
  t.ok(p.families > 0)
  t.ok(p.peer.ok > 0 && p.peer.ok <= p.families, 'peer refresh tokens rotated, none twice')
  t.equal(p.peer.non2xx + p.peer.errors, 0)
  t.ok(positive(p.ratio))
  t.ok(positive(p.ratioByCpu), 'CPU per request compared too')
})

t.test('the verifier comparison has every verifier for both algorithms', async (t) => {
  for (const alg of ['EdDSA', 'ES256'] as const) {
    const x = results.verifiers[alg]
    for (const rate of [x.joseJwtVerify, x.fastJwt, x.rawCryptoVerify, x.rotorVerifyNoCache]) t.ok(positive(rate), `${alg} rate`)
    for (const r of Object.values(x.ratiosToRaw)) t.ok(positive(r), `${alg} ratio`)
  }
})

t.test('each verdict follows from its figure, and the report prints every one', async (t) => {
  t.same(results.targets.map((x) => x.id), ['me-warm-vs-bare', 'me-warm-half-rate-p99', 'me-warm-half-rate-paced-p99',
    'me-cold-vs-raw-verify', 'refresh-vs-raw-evalsha', 'refresh-vs-parts', 'refresh-vs-oidc-provider', 'revocation-p99', 'revocation-p99-under-load', 'me-p99-login-storm-vs-quiet', 'me-p99-login-storm',
    'celebrity-login-redis', 'celebrity-other-refresh-p99', 'rs-warm-vs-bare', 'rs-cold-vs-bound', 'rs-propagation-p99', 'peer-session-warm-defaults', 'peer-session-warm', 'memory-per-session'])
  for (const target of results.targets) {
    const holds = target.comparison === '>=' ? target.measured >= target.threshold
      : target.comparison === '<=' ? target.measured <= target.threshold : target.measured < target.threshold
    t.equal(target.pass, holds, target.id)
  }
  t.same(evaluateTargets(results), results.targets, 'the written verdicts are the ones the figures give')
  const verdicts = run.stdout.split('\n').filter((line) => / (PASS|MISS)$/.test(line))
  t.equal(verdicts.length, results.targets.length)
  t.match(run.stdout, /Pinning: /)
})

t.test('a figure that could not be measured is a miss, never a pass', async (t) => {
  const broken = structuredClone(results)
  broken.validation.ratios.warmVsBare = NaN
  broken.revocation.propagationMs.p99 = NaN
  broken.resourceServer.ratios.coldVsBound = NaN
  broken.propagation.fromResponseMs.p99 = NaN
  const verdicts = new Map(evaluateTargets(broken).map((x) => [x.id, x.pass]))
  for (const id of ['me-warm-vs-bare', 'revocation-p99', 'rs-cold-vs-bound', 'rs-propagation-p99']) t.equal(verdicts.get(id), false, id)
})

t.test('rejects a malformed benchmark setting with its name, and an explicit setting beats the smoke default', async (t) => {
  t.throws(() => parseBenchConfig({ BENCH_USERS: '12abc' }, repoRoot), new BenchConfigError('BENCH_USERS must be an integer from 20 to 1000000 (got "12abc")'))
  t.throws(() => parseBenchConfig({ BENCH_ALG: 'HS256' }, repoRoot), BenchConfigError)
  t.equal(parseBenchConfig({ BENCH_SMOKE: '1', BENCH_USERS: '400' }, repoRoot).users, 400)
  t.equal(parseBenchConfig({ BENCH_SMOKE: '1' }, repoRoot).users, 200)
})
