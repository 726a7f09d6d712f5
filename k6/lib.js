// Shared helpers for the k6 scripts: the seed file written by `rotor seed`, settings from the environment, HTTP
// calls to Rotor, and ownership of rotating refresh tokens. Plain ES2017 (k6 >= 0.45 runs it without transpiling).
import http from 'k6/http'
import exec from 'k6/execution'
import { SharedArray } from 'k6/data'

/**
 * @typedef {{ email: string, access_token: string, refresh_token: string }} SeedUser
 * @typedef {{ version: number, base_url_hint: string, password: string, email_domain: string,
 *   access_tokens_expire_at: string, users: SeedUser[] }} SeedFile
 * @typedef {{ password: string, baseUrlHint: string, accessTokensExpireAtMs: number, userCount: number }} SeedMeta
 * @typedef {{ accessToken: string, refreshToken: string, expiresIn: number }} TokenPair
 * @typedef {{ email: string, access: string, refresh: string, accessExpiresAtMs: number, dead: boolean }} Session
 */

/**
 * TOKENS_FILE as users write it: a relative path is taken from the folder k6 was started in (PWD, which shells
 * export and k6 passes through), like any other command-line path; k6's open() alone would resolve it against this
 * script's folder. Unset: tokens.json beside the scripts, where the README's seed command writes it.
 * @param {string | undefined} raw
 * @returns {string}
 */
export function resolveTokensFile (raw) {
  if (raw === undefined || raw === '') return './tokens.json'
  if (/^([A-Za-z]:)?[\\/]/.test(raw)) return raw // absolute (POSIX or Windows)
  const cwd = __ENV.PWD
  if (cwd === undefined || cwd === '') return raw // no PWD (Windows cmd): k6's own rule, relative to k6/
  return `${cwd.replace(/\/+$/, '')}/${raw.replace(/^\.\//, '')}`
}

export const TOKENS_FILE = resolveTokensFile(__ENV.TOKENS_FILE)

/** The end-of-test summary shows p(99), which every threshold here is about (k6 prints p(90) and p(95) by default). */
export const SUMMARY_TREND_STATS = ['avg', 'p(50)', 'p(95)', 'p(99)', 'max']

/**
 * k6's --vus, --duration, --iterations and --stages replace a script's own scenarios with one default scenario, which
 * would run something else than the script describes: stop in setup, before any request, and say what to do instead.
 * @param {string[]} names the scenarios the script defines
 */
export function checkOwnScenarios (names) {
  const running = Object.keys(exec.test.options.scenarios || {}).sort().join(', ')
  if (running !== names.slice().sort().join(', ')) {
    throw new Error(`this script sizes its own scenarios (${names.join(', ')}) from -e settings such as VUS, RATE and DURATION ` +
      `(see its header); k6's --vus, --duration, --iterations and --stages replace them (now running: ${running || 'none'}). ` +
      'Drop those flags and pass e.g. -e VUS=100 -e DURATION=2m')
  }
}

/** @type {SeedFile | null} */
let parsed = null

// SharedArray callbacks run once, in the first VU's init context: the file is parsed there once, and the parsed
// document is reused by every SharedArray built in that context (a 100,000-user file is about 75 MB).
/** @returns {SeedFile} */
function readSeed () {
  if (parsed === null) {
    const doc = JSON.parse(open(TOKENS_FILE))
    if (doc === null || doc.version !== 1 || !Array.isArray(doc.users) || doc.users.length === 0) {
      throw new Error(`${TOKENS_FILE} is not a seed file from \`rotor seed\` (version 1 with users)`)
    }
    parsed = doc
  }
  return /** @type {SeedFile} */ (parsed)
}

const metaArray = new SharedArray('seed-meta', function () {
  const doc = readSeed()
  return [{
    password: doc.password,
    baseUrlHint: doc.base_url_hint,
    accessTokensExpireAtMs: Date.parse(doc.access_tokens_expire_at),
    userCount: doc.users.length
  }]
})

/** @type {SeedMeta} */
export const seed = metaArray[0]

/**
 * One field (or shape) per seeded user, shared read-only between VUs: keep only what a script needs.
 * @template T
 * @param {string} name
 * @param {(user: SeedUser) => T} pick
 * @returns {T[]}
 */
export function seededUsers (name, pick) {
  return new SharedArray(name, function () { return readSeed().users.map(pick) })
}

export const BASE_URL = (__ENV.BASE_URL || seed.baseUrlHint || 'http://127.0.0.1:3000').replace(/\/+$/, '')

/**
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
export function envInt (name, fallback) {
  const raw = __ENV[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^[0-9]+$/.test(raw)) throw new Error(`${name} must be a whole number (got ${raw})`)
  return Number(raw)
}

/**
 * A k6 duration ("90s", "1m30s", "2h") in milliseconds.
 * @param {string} text
 * @returns {number}
 */
export function durationMs (text) {
  const units = { h: 3600000, m: 60000, s: 1000, ms: 1 }
  const re = /([0-9]+)(ms|h|m|s)/g
  let total = 0
  let matched = ''
  let m
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * units[/** @type {'h' | 'm' | 's' | 'ms'} */ (m[2])]
    matched += m[0]
  }
  if (matched !== text || total === 0) throw new Error(`not a duration: ${text}`)
  return total
}

/** Abort before the run when the seeded access tokens will have expired by its end: every /me would be a 401. */
export function checkAccessTokensOutlive (/** @type {string} */ duration) {
  const endMs = Date.now() + durationMs(duration)
  if (seed.accessTokensExpireAtMs <= endMs) {
    throw new Error(`the seeded access tokens expire at ${new Date(seed.accessTokensExpireAtMs).toISOString()}, before this run ends: ` +
      'seed again, or seed and serve with a longer ACCESS_TOKEN_TTL_SECONDS')
  }
}

export const JSON_HEADERS = { 'Content-Type': 'application/json' }

/**
 * The tokens of a 200 token response, or null.
 * @param {import('k6/http').RefinedResponse<any>} res
 * @returns {TokenPair | null}
 */
export function tokensOf (res) {
  if (res.status !== 200 || typeof res.body !== 'string') return null
  const body = JSON.parse(res.body)
  if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') return null
  return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresIn: Number(body.expires_in) }
}

/** @param {string} accessToken */
export function getMe (accessToken) {
  return http.get(`${BASE_URL}/me`, { headers: { Authorization: `Bearer ${accessToken}` }, tags: { name: 'me' } })
}

/** @param {string} refreshToken */
export function refreshRequest (refreshToken) {
  return {
    method: 'POST',
    url: `${BASE_URL}/auth/refresh`,
    body: JSON.stringify({ refresh_token: refreshToken }),
    params: { headers: JSON_HEADERS, tags: { name: 'refresh' } }
  }
}

/** @param {string} refreshToken */
export function postRefresh (refreshToken) {
  const r = refreshRequest(refreshToken)
  return http.post(r.url, r.body, r.params)
}

/**
 * @param {string} email
 * @param {string} password
 */
export function postLogin (email, password) {
  return http.post(`${BASE_URL}/auth/token`, JSON.stringify({ email, password }), { headers: JSON_HEADERS, tags: { name: 'login' } })
}

/**
 * Refresh tokens rotate, and presenting a superseded one after the grace window is reuse, which revokes the family
 * (RFC 9700 §4.14.2). So each VU owns a disjoint slice of the seeded users (index = vu - 1 modulo the VU count of
 * the whole test) and keeps the latest tokens of each; no two VUs ever present the same family.
 * @param {SeedUser[]} users
 * @param {number} vuId exec.vu.idInTest, from 1
 * @param {number} totalVus every VU of every scenario that takes part
 */
export function ownSessions (users, vuId, totalVus) {
  if (vuId < 1 || vuId > totalVus) throw new Error(`VU ${vuId} is outside the ${totalVus} VUs the script was configured for: set VUS, not --vus`)
  /** @type {Session[]} */
  const sessions = []
  for (let i = vuId - 1; i < users.length; i += totalVus) {
    const u = users[i]
    sessions.push({ email: u.email, access: u.access_token, refresh: u.refresh_token, accessExpiresAtMs: seed.accessTokensExpireAtMs, dead: false })
  }
  let cursor = 0
  return {
    sessions,
    /**
     * The next live session, round robin, or null when every owned family has died.
     * @returns {Session | null}
     */
    next () {
      for (let n = 0; n < sessions.length; n++) {
        const s = sessions[cursor]
        cursor = (cursor + 1) % sessions.length
        if (!s.dead) return s
      }
      return null
    }
  }
}

/**
 * Keep a session's latest tokens after a refresh or login; a failed refresh kills it (its family is gone).
 * @param {Session} session
 * @param {TokenPair | null} pair
 */
export function adopt (session, pair) {
  if (pair === null) {
    session.dead = true
    return
  }
  session.access = pair.accessToken
  session.refresh = pair.refreshToken
  session.accessExpiresAtMs = Date.now() + pair.expiresIn * 1000
}

/** Fail the run before it starts when there are too few seeded users for every VU to own at least one. */
export function checkEnoughUsers (/** @type {number} */ totalVus) {
  if (seed.userCount < totalVus) throw new Error(`the seed file has ${seed.userCount} users but ${totalVus} VUs each need their own: seed more users`)
}
