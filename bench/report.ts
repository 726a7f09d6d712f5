// The printed report: the same figures as the JSON, as plain-text tables, plus warnings about anything that makes a
// figure weaker than it looks (a saturated load generator, an idle server, non-2xx answers).
import { cpuPerRequest } from './stats.js'
import type { BenchResults, LatencyMs, Phase, Target } from './types.js'

export function table (rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}

export const int = (n: number): string => Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'
export const pct = (n: number): string => Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : 'n/a'
// autocannon reports whole milliseconds rounded down, so its 0 means under a millisecond.
const ms = (n: number): string => !Number.isFinite(n) ? 'n/a' : n === 0 ? '<1' : n < 10 ? n.toFixed(1) : int(n)
const rate = (n: number): string => Number.isFinite(n) ? (n < 100 ? n.toFixed(1) : int(n)) : 'n/a'

function verdict (targets: Target[], id: string): [string, string] {
  const t = targets.find((x) => x.id === id)
  if (t === undefined) return ['', '']
  const threshold = t.unit === 'ratio' ? `${t.comparison} ${pct(t.threshold)}` : `${t.comparison} ${int(t.threshold)} ${t.unit}`
  return [threshold, t.pass ? 'PASS' : 'MISS']
}

const latOf = (l: LatencyMs): string[] => [ms(l.p50), ms(l.p99), ms(l.max)]
const lat = (p: Phase): string[] => latOf(p.latencyMs)
const ratioText = (n: number): string => Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a'

export function formatReport (r: BenchResults): string {
  const v = r.validation
  const t = r.targets
  const rsv = r.resourceServer
  const p8 = r.propagation
  const ps = r.peerSession
  const main = [
    ['Scenario', 'Measured', 'Baseline (same run)', 'Ratio', 'p50 ms', 'p99 ms', 'max ms', 'Target', 'Result'],
    ['1 GET /bench/bare (ceiling)', `${int(v.bare.rps)} req/s`, '', '', ...lat(v.bare), '', ''],
    ['1 GET /me warm (cache hits)', `${int(v.warm.rps)} req/s`, `bare ${int(v.bare.rps)} req/s`, pct(v.ratios.warmVsBare), ...lat(v.warm), ...verdict(t, 'me-warm-vs-bare')],
    ['1 /me warm, half rate, autocannon', `${int(v.warmHalfRate.rps)} of ${int(v.warmHalfRate.offeredRate ?? NaN)} req/s`, '', '', ...lat(v.warmHalfRate), ...verdict(t, 'me-warm-half-rate-p99')],
    ['1 /me warm, half rate, paced', `${int(v.warmHalfRatePaced.rps)} of ${int(v.warmHalfRatePaced.offeredRate ?? NaN)} req/s`, '', '', ...lat(v.warmHalfRatePaced), ...verdict(t, 'me-warm-half-rate-paced-p99')],
    ['1 GET /me cold (new token each)', `${int(v.cold.rps)} req/s`, `crypto.verify ${int(v.rawVerify.perSecond)}/s`, pct(v.ratios.coldVsRawVerify), ...lat(v.cold), ...verdict(t, 'me-cold-vs-raw-verify')],
    ['2 POST /auth/refresh (rotation)', `${int(r.refresh.app.rps)} req/s`, `EVALSHA ${int(r.refresh.rawEvalsha.perSecond)}/s`, pct(r.refresh.ratio), ...lat(r.refresh.app), ...verdict(t, 'refresh-vs-raw-evalsha')],
    ['2 (info) same, vs one call at a time', `${int(r.refresh.app.rps)} req/s`, `EVALSHA serial ${int(r.refresh.rawEvalshaSerial.perSecond)}/s`, pct(r.refresh.ratioToSerial), '', '', '', 'info', ''],
    ['2 same, vs the limit of its parts', `${int(r.refresh.app.rps)} req/s`, `1/(sign+POST+EVALSHA) ${int(r.refresh.partsBound)}/s`, pct(r.refresh.ratioToParts), '', '', '', ...verdict(t, 'refresh-vs-parts')],
    ['2 (info) bare POST, same body', `${int(r.refresh.barePost.rps)} req/s`, `crypto.sign ${int(r.refresh.rawSign.perSecond)}/s`, '', ...lat(r.refresh.barePost), 'info', ''],
    ['10 peer: node-oidc-provider refresh (rotation)', `${int(r.peerOidc.peer.rps)} req/s`, '', '', ...lat(r.peerOidc.peer), '', ''],
    ['10 Rotor refresh vs node-oidc-provider', `${int(r.refresh.app.rps)} req/s`, `peer ${int(r.peerOidc.peer.rps)} req/s`, ratioText(r.peerOidc.ratio), '', '', '', ...verdict(t, 'refresh-vs-oidc-provider')],
    ['10 (info) same, by server and Redis CPU per request', `${cpuMicros(r.refresh.app, true)} µs`, `peer ${cpuMicros(r.peerOidc.peer, true)} µs`, ratioText(r.peerOidc.ratioByCpu), '', '', '', 'info', ''],
    // Whether 5x is reachable at all here: the CPU a refresh may cost to be 5x the peer, against what three of its
    // parts cost alone in this run (the HTTP stack with the same body, the signature, the script inside Redis).
    ['10 (info) 5× the peer allows, vs three parts alone', `${micros(cpuPerRequest(r.peerOidc.peer) * 1e4 / 5)} µs`,
      `POST+sign+script ${micros(refreshPartsMicros(r))} µs`, '', '', '', '', 'info', ''],
    ['3 POST /auth/token (login)', `${rate(r.login.app.rps)} req/s`, `argon2.verify ${rate(r.login.rawArgon2.perSecond)}/s`, pct(r.login.ratio), ...lat(r.login.app), 'none', ''],
    ['6 /me paced, no logins', `${int(r.loginStorm.meQuiet.rps)} of ${int(r.loginStorm.meRate)} req/s`, '', '', ...lat(r.loginStorm.meQuiet), '', ''],
    [`6 /me paced, ${int(r.loginStorm.loginRate)} logins/s flood`, `${int(r.loginStorm.meStorm.rps)} of ${int(r.loginStorm.meRate)} req/s`, 'p99 vs no logins',
      ratioText(r.loginStorm.p99Ratio), ...lat(r.loginStorm.meStorm), ...verdict(t, 'me-p99-login-storm-vs-quiet')],
    ['6 (same) /me p99 under the flood', '', '', '', '', ms(r.loginStorm.meStorm.latencyMs.p99), '', ...verdict(t, 'me-p99-login-storm')],
    [`6 the flood: logins ${int(r.loginStorm.logins.ok)} served, ${int(r.loginStorm.logins.non2xx)} refused, ${int(r.loginStorm.logins.timeouts)} unanswered`, `${rate(r.loginStorm.logins.rps)} req/s`,
      'refused (503) latency', '', ...(r.loginStorm.logins.non2xxLatencyMs === undefined ? ['', '', ''] : latOf(r.loginStorm.logins.non2xxLatencyMs)), 'info', ''],
    [`6 (info) B, pool at nice ${r.loginStorm.niced.nice}: /me alone`, `${int(r.loginStorm.niced.meQuiet.rps)} req/s`, '', '', ...lat(r.loginStorm.niced.meQuiet), 'info', ''],
    [`6 (info) B, pool at nice ${r.loginStorm.niced.nice}: beside the flood`, `${int(r.loginStorm.niced.meStorm.rps)} req/s`, 'p99 vs B alone',
      ratioText(r.loginStorm.niced.p99Ratio), ...lat(r.loginStorm.niced.meStorm), 'info', ''],
    [`4 revocation, ${r.revocation.users} users`, 'logout-all A -> 401 on B', `logout-all p50 ${ms(r.revocation.logoutAllMs.p50)} ms`, '',
      ms(r.revocation.propagationMs.p50), ms(r.revocation.propagationMs.p99), ms(r.revocation.propagationMs.max), ...verdict(t, 'revocation-p99')],
    [`4 same, ${r.revocation.underLoad.users} users, B at ${int(r.revocation.underLoad.loadRate)} req/s`, 'logout-all A -> 401 on B', `logout-all p50 ${ms(r.revocation.underLoad.logoutAllMs.p50)} ms`, '',
      ...latOf(r.revocation.underLoad.propagationMs), ...verdict(t, 'revocation-p99-under-load')],
    [`6 login, ${int(r.celebrity.sessions)}-session account`, `${int(r.celebrity.loginRedisMicros.celebrity)} µs in Redis`,
      `one session ${int(r.celebrity.loginRedisMicros.oneSession)} µs`, pct(r.celebrity.loginRedisMicros.ratio), '', '', '', ...verdict(t, 'celebrity-login-redis')],
    ['6 other users\' refresh meanwhile', `p99 ${ms(r.celebrity.otherRefreshMs.meanwhile.p99)} ms`, `alone p99 ${ms(r.celebrity.otherRefreshMs.alone.p99)} ms`,
      pct(r.celebrity.otherRefreshP99Ratio), ms(r.celebrity.otherRefreshMs.meanwhile.p50), ms(r.celebrity.otherRefreshMs.meanwhile.p99),
      ms(r.celebrity.otherRefreshMs.meanwhile.max), ...verdict(t, 'celebrity-other-refresh-p99')],
    ['7 RS GET /bench/bare (ceiling)', `${int(rsv.bare.rps)} req/s`, '', '', ...lat(rsv.bare), '', ''],
    ['7 RS GET /hello warm (@rotor/verify)', `${int(rsv.warm.rps)} req/s`, `bare ${int(rsv.bare.rps)} req/s`, pct(rsv.ratios.warmVsBare), ...lat(rsv.warm), ...verdict(t, 'rs-warm-vs-bare')],
    ['7 (info) same, server CPU per request', `${cpuMicros(rsv.warm)} µs`, `bare ${cpuMicros(rsv.bare)} µs`, pct(rsv.ratios.warmVsBareByCpu), '', '', '', 'info', ''],
    ['7 RS GET /hello cold (new token each)', `${int(rsv.cold.rps)} req/s`, `1/(verify+bare) ${int(rsv.coldBound)}/s`, pct(rsv.ratios.coldVsBound), ...lat(rsv.cold), ...verdict(t, 'rs-cold-vs-bound')],
    ['7 (info) same, vs a free verifier over HTTP', `${int(rsv.cold.rps)} req/s`, `free-verify ${int(rsv.freeVerify.rps)} req/s`, pct(rsv.ratios.coldVsFreeVerify), ...lat(rsv.freeVerify), 'info', ''],
    [`8 propagation, ${p8.users} users x ${p8.resourceServers} RS`, 'logout-all 204 -> RS rejects', `logout-all p50 ${ms(p8.logoutAllMs.p50)} ms`, '',
      ms(p8.fromResponseMs.p50), ms(p8.fromResponseMs.p99), ms(p8.fromResponseMs.max), ...verdict(t, 'rs-propagation-p99')],
    ['9 peer: @fastify/session + connect-redis /me, defaults', `${int(ps.defaults.peer.rps)} req/s`, '', '', ...lat(ps.defaults.peer), '', ''],
    ['9 Rotor /me warm vs the peer at its defaults', `${int(ps.defaults.rotorWarm.rps)} req/s`, `peer ${int(ps.defaults.peer.rps)} req/s`,
      ratioText(ps.defaults.ratio), ...lat(ps.defaults.rotorWarm), ...verdict(t, 'peer-session-warm-defaults')],
    ['9 (info) same, by server and Redis CPU per request', `${cpuMicros(ps.defaults.rotorWarm, true)} µs`, `peer ${cpuMicros(ps.defaults.peer, true)} µs`,
      ratioText(ps.defaults.ratioByCpu), '', '', '', 'info', ''],
    ['9 peer in its favour (no write on a read) /me', `${int(ps.peer.rps)} req/s`, '', '', ...lat(ps.peer), '', ''],
    ['9 Rotor /me warm vs the peer in its favour', `${int(ps.rotorWarm.rps)} req/s`, `peer ${int(ps.peer.rps)} req/s`,
      ratioText(ps.ratio), ...lat(ps.rotorWarm), ...verdict(t, 'peer-session-warm')],
    ['9 (info) same, by server and Redis CPU per request', `${cpuMicros(ps.rotorWarm, true)} µs`, `peer ${cpuMicros(ps.peer, true)} µs`,
      ratioText(ps.ratioByCpu), '', '', '', 'info', ''],
    [`5 memory, browser UA (${r.memory.browserUserAgent.familyEncoding})`, `${int(r.memory.browserUserAgent.usedMemoryDeltaPerSession)} B/session`,
      `MEMORY USAGE ${int(r.memory.browserUserAgent.memoryUsage.perSession)} B`, '', '', '', '', ...verdict(t, 'memory-per-session')],
    [`5 memory, seed UA (${r.memory.seedUserAgent.familyEncoding})`, `${int(r.memory.seedUserAgent.usedMemoryDeltaPerSession)} B/session`,
      `MEMORY USAGE ${int(r.memory.seedUserAgent.memoryUsage.perSession)} B`, '', '', '', '', 'info', '']
  ]
  const verifiers = [
    ['Verifier ops/s, one core', 'jose jwtVerify', 'fast-jwt', 'Rotor verify (no cache)', 'crypto.verify', 'jose/raw', 'fast-jwt/raw', 'Rotor/raw'],
    ...(['EdDSA', 'ES256'] as const).map((alg) => {
      const x = r.verifiers[alg]
      return [alg, int(x.joseJwtVerify), int(x.fastJwt), int(x.rotorVerifyNoCache), int(x.rawCryptoVerify),
        pct(x.ratiosToRaw.joseJwtVerify), pct(x.ratiosToRaw.fastJwt), pct(x.ratiosToRaw.rotorVerifyNoCache)]
    })
  ]
  const phases = phaseList(r)
  const cpu = [
    ['Phase', '2xx', 'non-2xx', 'errors', 'seconds', 'server CPU', 'Redis CPU', 'other, server core', 'steal', 'load gen CPU', 'other, load core'],
    ...phases.map(([name, p]) => [name, int(p.ok), int(p.non2xx), int(p.errors), p.seconds.toFixed(1),
      cpuPct(p.serverCpuPercent), cpuPct(p.redisCpuPercent), cpuPct(p.serverCoreOtherPercent), cpuPct(p.stealPercent),
      cpuPct(p.loadCpuPercent), cpuPct(p.loadCoreOtherPercent)])
  ]
  const m = r.machine
  return [
    `Rotor benchmark, ${r.startedAt} (${Math.round(r.totalSeconds)} s). ${r.note}`,
    `Machine: ${m.cores} cores, ${m.cpuModel}, Node ${m.node}, Redis ${m.redis}, ${m.platform}, load average ${m.loadAverageAtStart.join(' ')} at start, ${m.loadAverageAtEnd.join(' ')} at end`,
    `Pinning: ${r.pinning.detail}`,
    `Settings: ${Object.entries(r.settings).map(([k, val]) => `${k}=${val}`).join(' ')}`,
    '', table(main), '', table(verifiers), '', table(cpu), '', ...warnings(r, phases).map((w) => `! ${w}`)
  ].join('\n')
}

/** Server CPU per request in µs (with Redis's: `withRedis`), as the scenarios' CPU ratios count it. */
const cpuMicros = (p: Phase, withRedis = false): string => Number.isFinite(p.serverCpuPercent)
  ? (cpuPerRequest(withRedis ? p : { ...p, redisCpuPercent: 0 }) * 1e4).toFixed(1)
  : 'n/a'
const micros = (n: number): string => Number.isFinite(n) ? n.toFixed(1) : 'n/a'
/** Server and Redis CPU of a bare POST, plus one raw signature, plus the rotation script's Redis CPU per refresh. */
const refreshPartsMicros = (r: BenchResults): number => cpuPerRequest(r.refresh.barePost) * 1e4 +
  1e6 / r.refresh.rawSign.perSecond + r.refresh.app.redisCpuPercent / r.refresh.app.rps * 1e4
const cpuPct = (n: number): string => Number.isFinite(n) ? `${Math.round(n)}%` : 'n/a'

function phaseList (r: BenchResults): Array<[string, Phase]> {
  const v = r.validation
  return [['bare', v.bare], ['/me prime', v.warmPrime], ['/me warm', v.warm], ['/me half (autocannon)', v.warmHalfRate],
    ['/me half (paced)', v.warmHalfRatePaced], ['/me cold', v.cold], ['refresh', r.refresh.app], ['bare POST', r.refresh.barePost], ['login', r.login.app], ['B /me during revocations', r.revocation.underLoad.load],
    ['/me paced, no logins', r.loginStorm.meQuiet], ['/me paced, login flood', r.loginStorm.meStorm], ['login flood', r.loginStorm.logins],
    ['B niced, /me alone', r.loginStorm.niced.meQuiet], ['B niced, /me flood', r.loginStorm.niced.meStorm], ['B niced, login flood', r.loginStorm.niced.logins],
    ['RS bare', r.resourceServer.bare], ['RS /hello prime', r.resourceServer.warmPrime], ['RS /hello warm', r.resourceServer.warm], ['RS /hello cold', r.resourceServer.cold],
    ['RS free-verify', r.resourceServer.freeVerify], ['peer session /me (favoured)', r.peerSession.peer], ['peer session /me (defaults)', r.peerSession.defaults.peer], ['oidc-provider refresh', r.peerOidc.peer], ['Rotor /me (vs peer)', r.peerSession.rotorWarm]]
}

/** Anything that weakens a figure, said next to it rather than left for the reader to spot. */
export function warnings (r: BenchResults, phases = phaseList(r)): string[] {
  const out: string[] = []
  if (!r.pinning.pinned) out.push(`${r.pinning.detail}: server and load generator competed for the same cores`)
  for (const [name, p] of phases) {
    const taken = p.serverCoreOtherPercent + (Number.isFinite(p.stealPercent) ? p.stealPercent : 0)
    if (taken >= 15) out.push(`${name}: other work and steal took ${Math.round(taken)}% of the server core, so the server had less than a core: its rate is low and noisy`)
    if (p.loadCpuPercent >= 90) out.push(`${name}: the load generator used ${Math.round(p.loadCpuPercent)}% of its core, so this rate may be the generator's limit, not the server's`)
    if (p.non2xx + p.errors > 0) out.push(`${name}: ${p.non2xx} non-2xx and ${p.errors} errors (${JSON.stringify(p.statusCodes)})`)
    if (p.timeouts > 0) out.push(`${name}: ${p.timeouts} requests never answered before the phase gave up on them`)
  }
  const saturated = [['bare', r.validation.bare], ['/me warm', r.validation.warm], ['/me cold', r.validation.cold],
    ['RS bare', r.resourceServer.bare], ['RS /hello warm', r.resourceServer.warm], ['RS /hello cold', r.resourceServer.cold]] as const
  for (const [name, p] of saturated) {
    const busy = p.serverCpuPercent + p.redisCpuPercent + p.serverCoreOtherPercent + p.stealPercent
    if (r.pinning.pinned && busy < 80) out.push(`${name}: the server core was idle ${Math.round(100 - busy)}% of the time, so the server core was not the bottleneck`)
  }
  const failures = r.refresh.rawEvalsha.failures + r.refresh.rawEvalshaSerial.failures
  if (failures > 0) out.push(`raw EVALSHA: ${failures} calls did not rotate`)
  const stillAccepted = r.revocation.timeouts + r.revocation.underLoad.timeouts
  if (stillAccepted > 0) out.push(`revocation: ${stillAccepted} users still accepted on B after the give-up time`)
  const p8 = r.propagation
  if (p8.timeouts > 0) out.push(`propagation: ${p8.timeouts} of ${p8.samples} resource-server samples did not reject the token within the give-up time`)
  if (p8.acceptedAfterRejection > 0) out.push(`propagation: ${p8.acceptedAfterRejection} times a resource server still answered 200 after its verifier rejected the token`)
  return out
}
