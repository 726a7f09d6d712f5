// Token validation under load: GET /me at a constant arrival rate with pre-minted access tokens from the seed file.
// /me verifies the token locally (signature, claims, revocation list) and touches no store, so this measures the
// hot path every request to a Rotor-protected service pays.
//
//   k6 run -e RATE=500 -e DURATION=1m k6/validation.js
//
// RATE (requests/s, default 200), DURATION (default 1m), VUS / MAX_VUS (pre-allocated / most VUs, default 50 / 200),
// BASE_URL (default: the seed file's hint), TOKENS_FILE (a relative path is from the current folder; default
// tokens.json beside this script). Use -e settings, not k6's --vus/--duration (they replace the scenario). The summary
// shows p(99) (summaryTrendStats; k6's --summary-trend-stats "avg,p(95),p(99),max" overrides it).
import { check } from 'k6'
import exec from 'k6/execution'
import { checkAccessTokensOutlive, checkOwnScenarios, envInt, getMe, seededUsers, SUMMARY_TREND_STATS } from './lib.js'

const RATE = envInt('RATE', 200)
const DURATION = __ENV.DURATION || '1m'
const VUS = envInt('VUS', 50)
const MAX_VUS = Math.max(VUS, envInt('MAX_VUS', 200))

const accessTokens = seededUsers('access-tokens', function (u) { return u.access_token })

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  // Only the status is checked; not keeping bodies saves the load generator's CPU and memory.
  discardResponseBodies: true,
  scenarios: {
    validation: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: VUS, maxVUs: MAX_VUS }
  },
  thresholds: {
    // Local verification is a signature check and a map lookup: 99 % of answers within 50 ms, round trip included.
    http_req_duration: ['p(99)<50'],
    // Every seeded token is valid for the whole run, so any non-200 is a failure.
    checks: ['rate>0.999']
  }
}

export function setup () {
  checkOwnScenarios(['validation'])
  checkAccessTokensOutlive(DURATION)
}

export default function () {
  // Round robin over the seeded tokens: every user's token is used, none is favoured.
  const token = accessTokens[exec.scenario.iterationInTest % accessTokens.length]
  const res = getMe(token)
  check(res, { 'me: 200': function (r) { return r.status === 200 } })
}
