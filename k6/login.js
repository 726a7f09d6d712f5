// Logins (POST /auth/token) by seeded users with the seed file's shared password.
//
//   k6 run -e RATE=5 -e DURATION=1m k6/login.js
//
// Every login costs one argon2id verification (19 MiB, t = 2: tens of milliseconds of one core, by design), so the
// service's login capacity is about (cores / that cost), far below its refresh or validation capacity. Keep RATE low
// (default 5/s) and raise it step by step to find the knee. VUS / MAX_VUS default 10 / 50. PASSWORD overrides the
// seed file's. Each login starts a new session for that user; the seeded sessions stay live.
// BASE_URL, TOKENS_FILE (from the current folder; default tokens.json beside this script) as in validation.js; -e
// settings, not --vus/--duration; the summary shows p(99) (--summary-trend-stats "avg,p(95),p(99),max" overrides it).
import { check } from 'k6'
import { checkOwnScenarios, envInt, postLogin, seed, seededUsers, SUMMARY_TREND_STATS, tokensOf } from './lib.js'

const RATE = envInt('RATE', 5)
const DURATION = __ENV.DURATION || '1m'
const VUS = envInt('VUS', 10)
const MAX_VUS = Math.max(VUS, envInt('MAX_VUS', 50))
const PASSWORD = __ENV.PASSWORD || seed.password

const emails = seededUsers('emails', function (u) { return u.email })

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    login: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: VUS, maxVUs: MAX_VUS }
  },
  thresholds: {
    // argon2id dominates: a login well under half a second at this rate means the hasher is not queueing.
    'http_req_duration{name:login}': ['p(99)<500'],
    checks: ['rate>0.999']
  }
}

export function setup () {
  checkOwnScenarios(['login'])
}

export default function () {
  const email = emails[Math.floor(Math.random() * emails.length)]
  const res = postLogin(email, PASSWORD)
  check(res, {
    'login: 200': function (r) { return r.status === 200 },
    'login: tokens issued': function (r) { return tokensOf(r) !== null }
  })
}
