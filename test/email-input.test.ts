// Emails that look like another, render deceptively or are not the text that was sent are refused with 400
// invalid_request wherever an email enters (register, login; the CLI and the seed use the same canonicalEmail):
// Unicode "other" characters (controls, format and bidirectional characters, lone surrogates), invisible default-
// ignorable ones and U+FFFD. Bodies that are not valid UTF-8 are refused as a whole, JSON and form alike.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { canonicalEmail } from '../src/users/email.js'
import { buildTestApp, json, PASSWORD, register, rawRedis } from './helper.js'

const HOSTILE = ['a\ud800@x.io', 'a\udc00b@x.io', 'a\ufffd@x.io', 'vic\u202Etim@x.io', 'zero\u200Bwidth@x.io', 'iso\u2066late@x.io',
  'bom\uFEFFinside@x.io', 'soft\u00ADhyphen@x.io', 'hangul\u3164filler@x.io', 'vs\uFE0F@x.io', 'private\uE000@x.io', 'bell\u0007@x.io',
  'user@exa\u200Dmple.com', 'nul\u0000@x.io']

const post = (app: FastifyInstance, url: string, payload: string | Buffer, contentType = 'application/json') =>
  app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload })

t.test('refuses invisible, bidirectional and control characters, lone surrogates and U+FFFD at register and login', async (t) => {
  const app = await buildTestApp(t)
  for (const email of HOSTILE) {
    t.equal(canonicalEmail(email), undefined, JSON.stringify(email))
    for (const url of ['/auth/register', '/auth/token']) {
      const res = await post(app, url, JSON.stringify({ email, password: PASSWORD }))
      t.equal(res.statusCode, 400, `${url} ${JSON.stringify(email)}`)
      t.same(json(res), { error: 'invalid_request', error_description: 'email is not a valid address (invisible, control and bidirectional characters are refused)' })
    }
  }
  // Sent as JSON escapes too: the parsed string is what counts.
  const escaped = await post(app, '/auth/register', `{"email":"a\\ud800@x.io","password":"${PASSWORD}"}`)
  t.equal(escaped.statusCode, 400)
  const redis = await rawRedis(t)
  const keys = await redis.keys(`${app.config.redis.keyPrefix}*`)
  t.same(keys.filter((k) => !k.includes(':rate-limit:')), [], 'no user, email claim or login-failure count was stored')
})

t.test('keeps accepting international addresses and surrounding white space', async (t) => {
  const app = await buildTestApp(t)
  const user = await register(app, '  José.Müller+tag@Bücher.example\n')
  t.equal(user.email, 'josé.müller+tag@bücher.example')
  t.equal(canonicalEmail('Emoji😀@x.io'), 'emoji😀@x.io', 'a paired surrogate is a real character')
})

t.test('refuses a JSON body holding invalid UTF-8 instead of collapsing it onto U+FFFD', async (t) => {
  const app = await buildTestApp(t)
  const raw = (bytes: number[]) => Buffer.concat([Buffer.from('{"email":"a'), Buffer.from(bytes), Buffer.from(`@x.io","password":"${PASSWORD}"}`)])
  for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
    for (const url of ['/auth/register', '/auth/token']) {
      const res = await post(app, url, raw(bytes))
      t.equal(res.statusCode, 400, `${url} ${bytes.join(',')}`)
      t.same(json(res), { error: 'invalid_request', error_description: 'The body is not valid UTF-8' })
    }
  }
  // The same in the password: two different byte strings must not become one password.
  const password = Buffer.concat([Buffer.from(`{"email":"someone@x.io","password":"${PASSWORD}`), Buffer.from([0xfe]), Buffer.from('"}')])
  t.equal((await post(app, '/auth/register', password)).statusCode, 400)
  t.equal((await post(app, '/auth/register', Buffer.from(JSON.stringify({ email: 'é@x.io', password: PASSWORD })))).statusCode, 201, 'valid UTF-8 passes')
})

t.test('refuses a form body with raw non-ASCII bytes or percent-encoded invalid UTF-8', async (t) => {
  const app = await buildTestApp(t)
  const form = 'application/x-www-form-urlencoded'
  const bad = [
    Buffer.concat([Buffer.from('email=a'), Buffer.from([0xff]), Buffer.from('%40x.io&password=x')]),
    Buffer.from('email=a%FF%40x.io&password=correct+horse+battery+staple'),
    Buffer.from('email=a%ED%A0%80%40x.io&password=correct+horse+battery+staple'),
    Buffer.from('email=a%40x.io&password=correct+horse%E2%82'),
    Buffer.from('email=a\u00e9%40x.io&password=correct+horse+battery+staple', 'utf8')
  ]
  for (const payload of bad) {
    const res = await post(app, '/auth/register', payload, form)
    t.equal(res.statusCode, 400, payload.toString('latin1'))
    t.same(json(res), { error: 'invalid_request', error_description: 'The body is not valid UTF-8' })
  }
  const ok = await post(app, '/auth/register', `email=jos%C3%A9%40x.io&password=${encodeURIComponent(PASSWORD)}`, form)
  t.equal(ok.statusCode, 201)
  t.equal(json(ok).email, 'josé@x.io')
})

t.test('refuses a password holding a lone surrogate, at register and login', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/auth/register', '/auth/token']) {
    const res = await post(app, url, `{"email":"someone@x.io","password":"${PASSWORD}\\ud800"}`)
    t.equal(res.statusCode, 400, url)
    t.same(json(res), { error: 'invalid_request', error_description: 'password must be well-formed Unicode (no unpaired surrogates)' })
  }
})
