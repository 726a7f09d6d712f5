// POST /auth/register and POST /auth/token: the happy paths, email canonicalisation and the single failure answer
// for bad credentials.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { decoyUserId } from '../src/auth/auth-service.js'
import { bearer, buildTestApp, json, login, manualClock, PASSWORD, REFRESH_SECRET, register, uniqueEmail } from './helper.js'

const TOKEN_FIELDS = ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'session_id', 'token_type']

function formLogin (app: Awaited<ReturnType<typeof buildTestApp>>, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString()
  })
}

t.test('registers a user and answers 201 with id, canonical email and creation time', async (t) => {
  const clock = manualClock(Date.UTC(2030, 0, 2, 3, 4, 5, 678))
  const app = await buildTestApp(t, { clock: clock.now })
  const email = uniqueEmail()
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })
  t.equal(res.statusCode, 201)
  const body = json(res)
  t.same(Object.keys(body).sort(), ['created_at', 'email', 'id'])
  t.equal(body.email, email)
  t.type(body.id, 'string')
  t.not(body.id, '')
  t.equal(body.created_at, '2030-01-02T03:04:05.678Z', 'created_at comes from the service clock, as ISO 8601')
  t.notMatch(res.body, /password|\$argon2/, 'neither the password nor its hash is echoed')
})

t.test('canonicalises the email: trimmed, Unicode NFC and lower-cased', async (t) => {
  const app = await buildTestApp(t)
  const local = uniqueEmail().split('@')[0]
  // "Jose" + U+0301 COMBINING ACUTE ACCENT is the NFD spelling of "josé"; NFC composes it to U+00E9.
  const res = await app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: { email: `  \tJose\u0301.${local}@Example.COM \n`, password: PASSWORD }
  })
  t.equal(res.statusCode, 201)
  t.equal(json(res).email, `jos\u00e9.${local}@example.com`)
})

t.test('refuses a second account for the same address in another case or normal form', async (t) => {
  const app = await buildTestApp(t)
  const local = uniqueEmail().split('@')[0]!
  await register(app, `jos\u00e9.${local}@example.com`)
  for (const variant of [`JOS\u00c9.${local}@EXAMPLE.com`, `Jose\u0301.${local}@example.com`, ` jos\u00e9.${local}@example.com `]) {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: variant, password: 'another password' } })
    t.equal(res.statusCode, 409, variant)
    t.same(json(res), { error: 'email_taken', error_description: 'An account with this email already exists' })
  }
})

t.test('rejects an address that is not plausibly an email with 400 invalid_request', async (t) => {
  const app = await buildTestApp(t)
  const invalid = ['not-an-email', 'a@b', 'two@@example.com', 'white space@example.com', '@example.com',
    'user@example.com@example.org', 'user@.example.com', 'ctrl\u0007@example.com', `${'a'.repeat(65)}@example.com`]
  for (const email of invalid) {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })
    t.equal(res.statusCode, 400, JSON.stringify(email))
    t.equal(json(res).error, 'invalid_request')
  }
})

t.test('logs in with a JSON body: 200 with a Bearer grant that must not be cached', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  const res = await login(app, user.email)
  t.equal(res.statusCode, 200)
  // RFC 6749 §5.1: responses carrying tokens are not stored by caches.
  t.equal(res.headers['cache-control'], 'no-store')
  const body = json(res)
  t.same(Object.keys(body).sort(), TOKEN_FIELDS)
  t.equal(body.token_type, 'Bearer')
  t.ok(body.expires_in as number <= 900 && body.expires_in as number >= 855, 'ACCESS_TOKEN_TTL_SECONDS default, less up to 5% jitter')
  t.equal(body.refresh_expires_in, 604800, 'REFRESH_IDLE_TTL_SECONDS default')
  for (const field of ['access_token', 'refresh_token', 'session_id']) {
    t.type(body[field], 'string')
    t.not(body[field], '', `${field} is not empty`)
  }
  t.not(body.access_token, body.refresh_token)
})

t.test('logs in with an application/x-www-form-urlencoded body', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  // PASSWORD holds spaces: the form encodes them as "+", which must decode back to spaces.
  const res = await formLogin(app, { email: user.email, password: PASSWORD })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = json(res)
  t.same(Object.keys(body).sort(), TOKEN_FIELDS)
  t.equal(body.token_type, 'Bearer')
  const wrong = await formLogin(app, { email: user.email, password: 'not the password' })
  t.equal(wrong.statusCode, 400)
  t.equal(json(wrong).error, 'invalid_grant')
})

t.test('answers a wrong password and an unknown email with the identical invalid_grant', async (t) => {
  // One answer for both, so responses do not reveal which accounts exist (ASVS 2.2.x; OWASP Authentication
  // Cheat Sheet, "Authentication and Error Messages").
  const app = await buildTestApp(t)
  const user = await register(app)
  const wrongPassword = await login(app, user.email, 'not the right password')
  const unknownEmail = await login(app, uniqueEmail(), PASSWORD)
  for (const res of [wrongPassword, unknownEmail]) {
    t.equal(res.statusCode, 400)
    t.same(json(res), { error: 'invalid_grant', error_description: 'Invalid email or password' })
  }
  t.equal(unknownEmail.body, wrongPassword.body, 'byte-for-byte the same body')
  t.equal(unknownEmail.headers['content-type'], wrongPassword.headers['content-type'])
  t.equal(unknownEmail.headers['content-length'], wrongPassword.headers['content-length'])
})

t.test('reads a user record for an unknown email too, so a login costs the same reads whether the account exists', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  const reads = async (): Promise<Record<string, number>> => {
    const info = await app.redis.info('commandstats')
    return Object.fromEntries(['get', 'mget', 'hmget'].map((c) => [c, Number(new RegExp(`^cmdstat_${c}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0)]))
  }
  const readsOf = async (email: string) => {
    const before = await reads()
    t.equal((await login(app, email, 'not the right password')).statusCode, 400)
    const after = await reads()
    return Object.fromEntries(Object.keys(after).map((c) => [c, after[c]! - before[c]!]))
  }
  const known = await readsOf(user.email)
  t.same(known, { get: 1, mget: 0, hmget: 2 }, 'a known email: its index entry, its user and its lock-out state (in a script)')
  const unknown = uniqueEmail()
  t.same(await readsOf(unknown), known, 'an unknown email: the same')
  // Each is counted under an id, in that user's slot: the real user's, or the decoy's, never the address.
  const prefix = app.config.redis.keyPrefix
  const keys = await app.redis.keys(`${prefix}*`)
  t.ok(keys.includes(`${prefix}{${user.id}}:login-failures`), 'the known account is counted under its user id')
  t.ok(keys.includes(`${prefix}{${decoyUserId(REFRESH_SECRET)(unknown)}}:login-failures`), 'the unknown one under its decoy id')
  t.notOk(keys.some((key) => key.includes(unknown.split('@')[0]!)), 'no key names the address')
})

t.test('finds the account case-insensitively at login', async (t) => {
  const app = await buildTestApp(t)
  const local = uniqueEmail().split('@')[0]
  await register(app, `Jos\u00e9.${local}@Example.com`)
  for (const variant of [`JOS\u00c9.${local}@EXAMPLE.COM`, `  jose\u0301.${local}@example.com  `]) {
    const res = await login(app, variant)
    t.equal(res.statusCode, 200, variant)
  }
  const { access_token: accessToken } = json<{ access_token: string }>(await login(app, `JOS\u00c9.${local}@example.com`))
  const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) })
  t.equal(json(me).email, `jos\u00e9.${local}@example.com`, 'the session belongs to the canonical address')
})

t.test('each login opens a new session', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app)
  const first = json(await login(app, user.email))
  const second = json(await login(app, user.email))
  t.not(first.session_id, second.session_id)
  t.not(first.refresh_token, second.refresh_token)
})
