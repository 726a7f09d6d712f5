// Password rules: 8 to 1024 UTF-8 *bytes*, checked before hashing so a huge password cannot buy argon2 time
// (ASVS 2.1.1, 2.1.2), and used exactly as received: no trimming, no Unicode normalisation (ASVS 2.1.3).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, json, login, uniqueEmail } from './helper.js'

function registerWith (app: FastifyInstance, password: string, email = uniqueEmail()) {
  return app.inject({ method: 'POST', url: '/auth/register', payload: { email, password } })
}

// Length and encoding rules alone: the strength estimate would refuse the deliberately simple passwords below
// ('abcdefgh', 'a' × 1024), so it is off here; password-strength.test.ts covers it.
const lengthRulesApp = (t: Parameters<typeof buildTestApp>[0]) => buildTestApp(t, { env: { PASSWORD_MIN_STRENGTH_SCORE: '0' } })

const LENGTH_ERROR = { error: 'invalid_request', error_description: 'password must be 8 to 1024 bytes long' }

t.test('rejects a 7-byte password with 400 invalid_request', async (t) => {
  const app = await lengthRulesApp(t)
  const email = uniqueEmail()
  const res = await registerWith(app, 'abcdefg', email)
  t.equal(res.statusCode, 400)
  t.same(json(res), LENGTH_ERROR)
  // No account was created: the address is still free.
  t.equal((await registerWith(app, 'abcdefgh', email)).statusCode, 201)
})

t.test('counts bytes, not characters', async (t) => {
  const app = await lengthRulesApp(t)
  // Four characters, seven bytes: three two-byte letters and one ASCII letter.
  const sevenBytes = '\u00e4\u00f6\u00fca'
  t.equal(Buffer.byteLength(sevenBytes), 7)
  const short = await registerWith(app, sevenBytes)
  t.equal(short.statusCode, 400)
  t.same(json(short), LENGTH_ERROR)

  // Four characters, eight bytes: accepted, and usable to log in over JSON and over a form post.
  const eightBytes = '\u00e4\u00f6\u00fc\u00df'
  t.equal(Buffer.byteLength(eightBytes), 8)
  const email = uniqueEmail()
  t.equal((await registerWith(app, eightBytes, email)).statusCode, 201)
  t.equal((await login(app, email, eightBytes)).statusCode, 200)
  const form = await app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email, password: eightBytes }).toString()
  })
  t.equal(form.statusCode, 200, 'percent-encoded UTF-8 in a form decodes to the same password')

  // Four emoji, sixteen bytes.
  const emoji = '\u{1F511}\u{1F512}\u{1F5DD}\u{1F510}'
  t.equal(emoji.length, 8, 'UTF-16 code units')
  t.equal((await registerWith(app, emoji)).statusCode, 201)
})

t.test('accepts exactly 1024 bytes and rejects 1025 bytes', async (t) => {
  const app = await lengthRulesApp(t)
  const email = uniqueEmail()
  const max = 'a'.repeat(1024)
  t.equal((await registerWith(app, max, email)).statusCode, 201)
  t.equal((await login(app, email, max)).statusCode, 200)

  const ascii = await registerWith(app, 'a'.repeat(1025))
  t.equal(ascii.statusCode, 400)
  t.equal(json(ascii).error, 'invalid_request')

  // 1024 characters but 1025 bytes: within any character limit, still too long in bytes.
  const multibyte = 'a'.repeat(1023) + '\u00e9'
  t.equal(multibyte.length, 1024)
  t.equal(Buffer.byteLength(multibyte), 1025)
  const res = await registerWith(app, multibyte)
  t.equal(res.statusCode, 400)
  t.same(json(res), LENGTH_ERROR)

  // 1023 characters, 1024 bytes: the byte boundary, accepted.
  const boundary = 'a'.repeat(1022) + '\u00e9'
  t.equal(Buffer.byteLength(boundary), 1024)
  t.equal((await registerWith(app, boundary)).statusCode, 201)
})

t.test('applies the same byte limits at login, answering invalid_request rather than invalid_grant', async (t) => {
  const app = await lengthRulesApp(t)
  const email = uniqueEmail()
  t.equal((await registerWith(app, 'long enough password', email)).statusCode, 201)
  for (const password of ['abcdefg', '\u00e4\u00f6\u00fca', 'a'.repeat(1023) + '\u00e9']) {
    const res = await login(app, email, password)
    t.equal(res.statusCode, 400, `${Buffer.byteLength(password)} bytes`)
    t.same(json(res), LENGTH_ERROR)
  }
})

t.test('uses a password exactly as received: surrounding spaces are part of it', async (t) => {
  const app = await lengthRulesApp(t)
  const email = uniqueEmail()
  const spaced = '  spaced out password  '
  t.equal((await registerWith(app, spaced, email)).statusCode, 201)
  for (const variant of ['spaced out password', '  spaced out password', 'spaced out password  ']) {
    const res = await login(app, email, variant)
    t.equal(res.statusCode, 400, JSON.stringify(variant))
    t.equal(json(res).error, 'invalid_grant')
  }
  t.equal((await login(app, email, spaced)).statusCode, 200)
})

t.test('uses a password exactly as received: no Unicode normalisation and no case folding', async (t) => {
  const app = await lengthRulesApp(t)
  const email = uniqueEmail()
  const composed = 'caf\u00e9 au lait' // NFC
  t.equal((await registerWith(app, composed, email)).statusCode, 201)
  const decomposed = await login(app, email, composed.normalize('NFD'))
  t.equal(decomposed.statusCode, 400)
  t.equal(json(decomposed).error, 'invalid_grant')
  t.equal((await login(app, email, composed.toUpperCase())).statusCode, 400)
  t.equal((await login(app, email, composed)).statusCode, 200)
})

t.test('a 1024-byte password of multibyte characters fits in the default body limit', async (t) => {
  const app = await lengthRulesApp(t)
  const email = uniqueEmail()
  // 256 four-byte characters: the largest password, sent as raw UTF-8 JSON, must not trip the 4096-byte body limit.
  const password = '\u{1F511}'.repeat(256)
  t.equal(Buffer.byteLength(password), 1024)
  t.equal((await registerWith(app, password, email)).statusCode, 201)
  t.equal((await login(app, email, password)).statusCode, 200)
})
