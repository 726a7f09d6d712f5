// A mixed workload shaped like real clients: mostly API calls with an access token, some refreshes, few logins,
// with think time between actions.
//
//   k6 run -e VUS=50 -e DURATION=5m k6/mixed.js
//
// VUS clients (default 50), each pausing THINK_SECONDS (default 1, +/- 50 %) between actions, so the request rate
// is about VUS / THINK_SECONDS. Each action is picked by weight: W_VALIDATE (default 95) GET /me, W_REFRESH (4) a
// refresh, W_LOGIN (1) a fresh login. Each VU owns its own seeded users and keeps their latest tokens; like a real
// client it refreshes an access token shortly before it expires, so long runs stay valid.
// Refresh tokens are single-use: seed again before the next run (see refresh.js).
// BASE_URL, TOKENS_FILE (from the current folder; default tokens.json beside this script) as in validation.js; -e
// settings, not --vus/--duration; the summary shows p(99) (--summary-trend-stats "avg,p(95),p(99),max" overrides it).
import { check, sleep } from 'k6'
import exec from 'k6/execution'
import { adopt, checkEnoughUsers, checkOwnScenarios, envInt, getMe, ownSessions, postLogin, postRefresh, seed, seededUsers, SUMMARY_TREND_STATS, tokensOf } from './lib.js'

const VUS = envInt('VUS', 50)
const DURATION = __ENV.DURATION || '5m'
const THINK_SECONDS = Number(__ENV.THINK_SECONDS || '1')
const W_VALIDATE = envInt('W_VALIDATE', 95)
const W_REFRESH = envInt('W_REFRESH', 4)
const W_LOGIN = envInt('W_LOGIN', 1)
const W_TOTAL = W_VALIDATE + W_REFRESH + W_LOGIN
const PASSWORD = __ENV.PASSWORD || seed.password
// Refresh this long before the access token expires, as client libraries do.
const EARLY_REFRESH_MS = 30000

if (W_TOTAL === 0) throw new Error('at least one of W_VALIDATE, W_REFRESH, W_LOGIN must be positive')
if (!(THINK_SECONDS >= 0)) throw new Error('THINK_SECONDS must be a number of seconds')

const users = seededUsers('users', function (u) { return u })

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    mixed: { executor: 'constant-vus', vus: VUS, duration: DURATION }
  },
  thresholds: {
    'http_req_duration{name:me}': ['p(99)<50'],
    'http_req_duration{name:refresh}': ['p(99)<100'],
    'http_req_duration{name:login}': ['p(99)<500'],
    checks: ['rate>0.999']
  }
}

export function setup () {
  checkOwnScenarios(['mixed'])
  checkEnoughUsers(VUS)
}

/** @type {ReturnType<typeof ownSessions> | null} */
let owned = null

/** @param {import('./lib.js').Session} session */
function refresh (session) {
  const res = postRefresh(session.refresh)
  const pair = tokensOf(res)
  check(res, { 'refresh: 200': function (r) { return r.status === 200 && pair !== null } })
  adopt(session, pair)
}

/** @param {import('./lib.js').Session} session */
function validate (session) {
  if (session.accessExpiresAtMs - Date.now() < EARLY_REFRESH_MS) {
    refresh(session)
    if (session.dead) return
  }
  const res = getMe(session.access)
  check(res, { 'me: 200': function (r) { return r.status === 200 } })
}

/** @param {import('./lib.js').Session} session */
function login (session) {
  const res = postLogin(session.email, PASSWORD)
  const pair = tokensOf(res)
  check(res, { 'login: 200': function (r) { return r.status === 200 && pair !== null } })
  // A new session for the same user (a second device); the old family is left to expire.
  if (pair !== null) adopt(session, pair)
}

export default function () {
  if (owned === null) owned = ownSessions(users, exec.vu.idInTest, VUS)
  const session = owned.next()
  if (session !== null) {
    const pick = Math.random() * W_TOTAL
    if (pick < W_VALIDATE) validate(session)
    else if (pick < W_VALIDATE + W_REFRESH) refresh(session)
    else login(session)
  }
  sleep(THINK_SECONDS * (0.5 + Math.random()))
}
