// New passwords are checked against the most common ones (NIST SP 800-63B §5.1.1.2; ASVS 2.1.7), case-insensitively,
// at registration and at password change: 400 weak_password. Login is not affected (existing accounts keep working).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { COMMON_PASSWORDS_FILE, createPasswordPolicy, loadCommonPasswords } from '../src/users/password-policy.js'
import { bearer, buildTestApp, json, login, PASSWORD, registerAndLogin, uniqueEmail } from './helper.js'

const common = loadCommonPasswords()
// The list alone (score 0): the strength estimate has its own tests (password-strength.test.ts).
const listOnly = createPasswordPolicy({ common, minScore: 0 })
const reason = (password: string) => listOnly.problem(password, [])?.reason

t.test('ships at least the 10,000 most common passwords with their origin and licence stated', async (t) => {
  t.ok(common.size >= 10_000, `${common.size} passwords`)
  for (const p of ['password', '12345678', 'qwertyuiop', 'iloveyou', 'trustno1']) t.ok(common.has(p), `${p} is listed`)
  const notice = readFileSync(new URL('README.md', COMMON_PASSWORDS_FILE), 'utf8')
  t.match(notice, /@zxcvbn-ts\/language-common/)
  t.match(notice, /Copyright \(c\) 2012-2016 Dan Wheeler and Dropbox, Inc\./)
  t.match(notice, /Permission is hereby granted, free of charge/)
})

t.test('compares case-insensitively and checks the length first', async (t) => {
  t.equal(reason('PassWord'), 'weak_password')
  t.equal(reason('TRUSTNO1'), 'weak_password')
  t.equal(reason('short'), 'invalid_password', 'too short is reported as such, listed or not')
  t.equal(reason('x'.repeat(1025)), 'invalid_password')
  t.equal(reason(PASSWORD), undefined)
  t.equal(reason('password plus a few more words'), undefined, 'only whole matches count')
})

t.test('refuses a common password at registration with 400 weak_password and creates nothing', async (t) => {
  const app = await buildTestApp(t)
  for (const password of ['password', 'Password', 'QWERTYUIOP', '12345678']) {
    const email = uniqueEmail()
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password } })
    t.equal(res.statusCode, 400, password)
    t.same(json(res), { error: 'weak_password', error_description: 'This password is on a list of the most common passwords; choose a longer or less predictable one' })
    // The email was never claimed: the same address registers with a good password.
    t.equal((await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })).statusCode, 201)
  }
})

t.test('accepts an uncommon password', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: 'plum tractor nebula 42' } })
  t.equal(res.statusCode, 201)
})

t.test('refuses a common or guessable new password at password change and keeps the old one', async (t) => {
  const app = await buildTestApp(t)
  const user = await registerAndLogin(app)
  // Sunshine is on the list; Password1! is not, but scores 1 (password-strength.test.ts).
  for (const newPassword of ['Sunshine', 'Password1!']) {
    const res = await app.inject({
      method: 'POST', url: '/auth/password', headers: bearer(user.accessToken), payload: { current_password: PASSWORD, new_password: newPassword }
    })
    t.equal(res.statusCode, 400)
    t.equal(json(res).error, 'weak_password')
    t.equal((await login(app, user.email, newPassword)).statusCode, 400, 'the refused one was not stored')
  }
  t.equal((await login(app, user.email)).statusCode, 200, 'the old password still works')
})
