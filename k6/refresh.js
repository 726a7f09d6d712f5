// Refresh-token rotation under load, plus bursts of parallel refreshes with one token.
//
//   k6 run -e RATE=50 -e DURATION=1m k6/refresh.js
//
// Scenario "rotate": RATE refreshes/s (default 50) by VUS VUs (default 20). Each VU owns its own seeded users and
// always presents the latest refresh token of each, as a well-behaved client does.
// Scenario "burst": BURST_RATE bursts/s (default 1) by BURST_VUS VUs (default 2); a burst sends BURST_SIZE (default 5)
// refreshes with the same token at once, like parallel tabs or a retried request. Inside the grace window
// (REFRESH_REUSE_GRACE_SECONDS) every one of them must get 200 and the same successor: no false reuse detection.
//
// Refresh tokens are single-use: a seed file's tokens are spent by one run. Seed again before the next one, or the
// second run presents superseded tokens, which is reuse (400 invalid_grant, families revoked).
// BASE_URL, TOKENS_FILE (from the current folder; default tokens.json beside this script) as in validation.js; -e
// settings, not --vus/--duration; the summary shows p(99) (--summary-trend-stats "avg,p(95),p(99),max" overrides it).
import http from 'k6/http'
import { check } from 'k6'
import exec from 'k6/execution'
import { Counter, Rate } from 'k6/metrics'
import { adopt, checkEnoughUsers, checkOwnScenarios, envInt, ownSessions, postRefresh, refreshRequest, seededUsers, SUMMARY_TREND_STATS, tokensOf } from './lib.js'

const RATE = envInt('RATE', 50)
const VUS = envInt('VUS', 20)
const BURST_RATE = envInt('BURST_RATE', 1)
const BURST_VUS = envInt('BURST_VUS', 2)
const BURST_SIZE = envInt('BURST_SIZE', 5)
const DURATION = __ENV.DURATION || '1m'
const TOTAL_VUS = VUS + BURST_VUS

if (BURST_SIZE < 2 || BURST_SIZE > 50) throw new Error('BURST_SIZE must be from 2 to 50 (the server allows REFRESH_GRACE_MAX_REPLAYS replays)')

const users = seededUsers('users', function (u) { return u })
const serverErrors = new Counter('server_errors')
const burstConsistent = new Rate('burst_same_successor')

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    rotate: { executor: 'constant-arrival-rate', exec: 'rotate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: VUS, maxVUs: VUS },
    burst: { executor: 'constant-arrival-rate', exec: 'burst', rate: BURST_RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: BURST_VUS, maxVUs: BURST_VUS }
  },
  thresholds: {
    checks: ['rate>0.999'],
    // A 5xx is never an acceptable answer to a refresh, even under load.
    server_errors: ['count==0'],
    // Every burst got one successor, for all its requests.
    burst_same_successor: ['rate==1'],
    // One Lua script and one signature per rotation.
    'http_req_duration{scenario:rotate}': ['p(99)<100']
  }
}

export function setup () {
  checkOwnScenarios(['burst', 'rotate'])
  checkEnoughUsers(TOTAL_VUS)
}

// Only reached when k6's --vus/--duration replaced the scenarios with a default one: say so rather than k6's
// "function 'default' not found".
export default function () {
  checkOwnScenarios(['burst', 'rotate'])
}

/** @type {ReturnType<typeof ownSessions> | null} */
let owned = null
function mine () {
  if (owned === null) owned = ownSessions(users, exec.vu.idInTest, TOTAL_VUS)
  return owned
}

/** @param {import('k6/http').RefinedResponse<any>} res */
function countServerError (res) {
  if (res.status >= 500) serverErrors.add(1)
}

export function rotate () {
  const session = mine().next()
  if (session === null) return // every family this VU owned has died; the failed checks already say why
  const res = postRefresh(session.refresh)
  countServerError(res)
  const pair = tokensOf(res)
  check(res, {
    'refresh: 200': function (r) { return r.status === 200 },
    'refresh: a new refresh token': function () { return pair !== null && pair.refreshToken !== session.refresh }
  })
  adopt(session, pair)
}

export function burst () {
  const session = mine().next()
  if (session === null) return
  const r = refreshRequest(session.refresh)
  /** @type {Array<[string, string, string, import('k6/http').Params]>} */
  const requests = []
  for (let i = 0; i < BURST_SIZE; i++) requests.push([r.method, r.url, r.body, r.params])
  const responses = http.batch(requests)
  /** @type {Array<string | null>} */
  const successors = []
  for (let i = 0; i < responses.length; i++) {
    countServerError(responses[i])
    const pair = tokensOf(responses[i])
    successors.push(pair === null ? null : pair.refreshToken)
  }
  const first = successors[0]
  const same = first !== null && first !== session.refresh && successors.every(function (s) { return s === first })
  burstConsistent.add(same)
  check(responses, {
    'burst: every refresh 200': function (all) { return all.every(function (res) { return res.status === 200 }) },
    'burst: one successor for all': function () { return same }
  })
  adopt(session, same ? tokensOf(responses[0]) : null)
}
