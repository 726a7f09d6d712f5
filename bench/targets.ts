// The scale targets of issue 4 (and of issues 9, 10 and 13), checked against measured figures. A figure that could not be measured (NaN) is a
// miss: a target is passed only by a number that meets it.
import type { BenchResults, Target } from './types.js'

export type Measured = Omit<BenchResults, 'targets'>

function check (id: string, description: string, measured: number, comparison: Target['comparison'], threshold: number, unit: string): Target {
  const pass = Number.isFinite(measured) && (
    comparison === '>=' ? measured >= threshold : comparison === '<=' ? measured <= threshold : measured < threshold)
  return { id, description, measured, threshold, unit, comparison, pass }
}

export function evaluateTargets (r: Measured): Target[] {
  const v = r.validation
  return [
    check('me-warm-vs-bare', '/me warm rps vs the bare route of the same app', v.ratios.warmVsBare, '>=', 0.9, 'ratio'),
    // autocannon's percentiles are whole milliseconds rounded down: a reported 5 may be 5.9, so the upper bound counts.
    check('me-warm-half-rate-p99', '/me warm p99 at half its max rate (autocannon overallRate; upper bound of its whole-ms p99)', v.warmHalfRate.latencyMs.p99 + 1, '<=', 5, 'ms'),
    check('me-warm-half-rate-paced-p99', '/me warm p99 at half its max rate (paced open-loop arrivals)', v.warmHalfRatePaced.latencyMs.p99, '<=', 5, 'ms'),
    check('me-cold-vs-raw-verify', '/me cold rps vs raw crypto.verify on one core', v.ratios.coldVsRawVerify, '>=', 0.85, 'ratio'),
    check('refresh-vs-raw-evalsha', 'refresh rotations/s vs raw EVALSHA of the rotate script', r.refresh.ratio, '>=', 0.3, 'ratio'),
    check('refresh-vs-parts', 'refresh rotations/s vs 1 / (raw sign + bare POST + one EVALSHA round trip)', r.refresh.ratioToParts, '>=', 0.5, 'ratio'),
    check('refresh-vs-oidc-provider', 'refresh rotations/s vs node-oidc-provider\'s refresh with rotation, same families', r.peerOidc.ratio, '>=', 5, 'ratio'),
    check('revocation-p99', 'logout-all on A until B answers 401, p99', r.revocation.propagationMs.p99, '<', 1000, 'ms'),
    check('revocation-p99-under-load', 'logout-all on A until B answers 401, p99, while B serves /me at half its warm rate', r.revocation.underLoad.propagationMs.p99, '<=', 50, 'ms'),
    check('me-p99-login-storm-vs-quiet', '/me p99 beside a login flood vs alone (paced, same rate, same run)', r.loginStorm.p99Ratio, '<=', 2, 'ratio'),
    check('me-p99-login-storm', '/me p99 beside a login flood (paced)', r.loginStorm.meStorm.latencyMs.p99, '<', 50, 'ms'),
    check('celebrity-login-redis', 'login inside Redis, 10,000-session account vs one-session account (SLOWLOG median)', r.celebrity.loginRedisMicros.ratio, '<=', 2, 'ratio'),
    check('celebrity-other-refresh-p99', 'other users\' refresh p99 while the celebrity logs in, vs alone', r.celebrity.otherRefreshP99Ratio, '<=', 2, 'ratio'),
    check('rs-warm-vs-bare', 'resource server (@rotor/verify) /hello warm rps vs its bare route', r.resourceServer.ratios.warmVsBare, '>=', 0.95, 'ratio'),
    check('rs-cold-vs-bound', 'resource server /hello cold rps vs 1 / (raw crypto.verify + bare request)', r.resourceServer.ratios.coldVsBound, '>=', 0.9, 'ratio'),
    check('rs-propagation-p99', 'logout-all 204 until each of three resource servers rejects the token, p99', r.propagation.fromResponseMs.p99, '<', 1000, 'ms'),
    check('peer-session-warm-defaults', 'Rotor /me warm vs @fastify/session + connect-redis /me at its defaults, same users, same run', r.peerSession.defaults.ratio, '>=', 3, 'ratio'),
    check('peer-session-warm', 'Rotor /me warm vs @fastify/session + connect-redis /me set up in its favour, same users, same run', r.peerSession.ratio, '>=', 3, 'ratio'),
    check('memory-per-session', 'Redis bytes per live session (browser user agent, used_memory delta)', r.memory.browserUserAgent.usedMemoryDeltaPerSession, '<=', 300, 'bytes')
  ]
}
