// New passwords need a zxcvbn score of PASSWORD_MIN_STRENGTH_SCORE (default 3) beside the common-password list
// (NIST SP 800-63B §5.1.1.2; ASVS 2.1.8): 400 weak_password saying what is wrong, never quoting the password.
// Login is not affected, and the length limit (bytes) is checked before any estimate runs. Password change:
// common-passwords.test.ts.
import t from 'tap'
import { createPasswordPolicy, loadCommonPasswords, userInputsOf } from '../src/users/password-policy.js'
import { buildTestApp, json, login, PASSWORD, uniqueEmail } from './helper.js'

const common = loadCommonPasswords()
const policy = createPasswordPolicy({ common, minScore: 3 })

t.test('refuses "Password1!" and other patterned passwords the list does not hold, with the reason', async (t) => {
  const app = await buildTestApp(t)
  for (const password of ['Password1!', 'P@ssw0rd2024', 'asdfghjkl;123', 'abcabcabcabc']) {
    t.notOk(common.has(password), `${password} is not on the list`)
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password } })
    t.equal(res.statusCode, 400, password)
    const body = json<{ error: string, error_description: string }>(res)
    t.equal(body.error, 'weak_password', password)
    t.match(body.error_description, /^This password is too easy to guess\. \S.+\. \S.+$/, `says why: ${body.error_description}`)
    t.notOk(body.error_description.includes(password), 'does not echo the password')
  }
})

t.test('refuses a password made of the user\'s own email', async (t) => {
  const app = await buildTestApp(t)
  const email = `rosalind.franklin.${Date.now()}@example.com`
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: `${email.split('@')[0]}` } })
  t.equal(res.statusCode, 400)
  t.equal(json(res).error, 'weak_password')
  const email2 = 'rosalind.franklin@example.com'
  t.equal(policy.problem('rosalind.franklin1', [])?.reason, undefined, 'strong enough from a stranger')
  t.equal(policy.problem('rosalind.franklin1', userInputsOf(email2))?.reason, 'weak_password', 'not from Rosalind Franklin')
})

t.test('accepts passphrases and random passwords', async (t) => {
  for (const password of [PASSWORD, 'plum tractor nebula 42', 'kT9#mQ2$vLw', '730591826413', 'ça ne marche pas très bien']) {
    t.equal(policy.problem(password, userInputsOf('someone@example.com')), undefined, password)
  }
})

t.test('checks length before strength, in bytes, and bounds the estimate on long input', async (t) => {
  t.same(policy.problem('Aa1!', []), { reason: 'invalid_password', description: 'password must be 8 to 1024 bytes long' })
  t.equal(policy.problem('é'.repeat(513), [])?.reason, 'invalid_password', '1026 bytes though 513 characters')
  // Long, patterned, and at the limit: still refused as weak (its first characters are what is examined).
  t.equal(policy.problem('p@ssw0rd'.repeat(128), [])?.reason, 'weak_password')
  t.equal(policy.problem('x'.repeat(1024), [])?.reason, 'weak_password')
})

t.test('PASSWORD_MIN_STRENGTH_SCORE=0 leaves the list as the only check', async (t) => {
  const app = await buildTestApp(t, { env: { PASSWORD_MIN_STRENGTH_SCORE: '0' } })
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: 'Password1!' } })
  t.equal(res.statusCode, 201)
})

t.test('logs in with an existing weak password: the policy applies to new passwords only', async (t) => {
  const app = await buildTestApp(t, { env: { PASSWORD_MIN_STRENGTH_SCORE: '0' } })
  const email = uniqueEmail()
  t.equal((await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: 'Password1!' } })).statusCode, 201)
  const strict = await buildTestApp(t, { env: { PASSWORD_MIN_STRENGTH_SCORE: '3', REDIS_KEY_PREFIX: app.config.redis.keyPrefix } })
  t.equal((await login(strict, email, 'Password1!')).statusCode, 200)
})
