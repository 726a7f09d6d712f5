// Registration after a failover lost a user record but not its email entry (they live on different nodes): the
// email is not taken by nobody for good, the next registration of it takes the orphan over (src/users/email-claim.ts),
// and nothing else that holds an email (a live account, a registration still in flight) is ever taken over.
import t from 'tap'
import { createKeyNames } from '../src/key-names.js'
import { buildTestApp, json, login, register, uniqueEmail } from './helper.js'

const registerAnswer = (app: Awaited<ReturnType<typeof buildTestApp>>, email: string) =>
  app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: 'correct horse battery staple' } })

t.test('an email whose user record was lost is registered again, by whoever registers it next', async (t) => {
  const app = await buildTestApp(t)
  const keys = createKeyNames(app.config.redis.keyPrefix)
  const lost = await register(app)
  await app.redis.del(keys.user(lost.id)) // what a failover that kept only the email entry leaves
  t.equal((await login(app, lost.email)).statusCode, 400, 'the orphan entry reads as an unknown email')
  const again = await registerAnswer(app, lost.email)
  t.equal(again.statusCode, 201, 'and does not block a new registration')
  const { id } = json<{ id: string }>(again)
  t.not(id, lost.id, 'a new account')
  t.equal(await app.redis.get(keys.email(lost.email)), id, 'which the entry now names')
  t.equal(await app.redis.pttl(keys.email(lost.email)), -1, 'for good')
  t.equal((await login(app, lost.email)).statusCode, 200, 'and logs in')
})

t.test('never takes over an email of a live account or of a registration still in flight', async (t) => {
  const app = await buildTestApp(t)
  const keys = createKeyNames(app.config.redis.keyPrefix)
  const live = await register(app)
  t.equal((await registerAnswer(app, live.email)).statusCode, 409, 'a live account keeps its email')
  const inFlight = uniqueEmail()
  await app.redis.set(keys.email(inFlight), 'a-user-being-written', 'PX', 10_000) // a claim, its user not yet written
  t.equal((await registerAnswer(app, inFlight)).statusCode, 409, 'a claim still in flight keeps it too')
  t.equal(await app.redis.get(keys.email(inFlight)), 'a-user-being-written')
})

t.test('lets exactly one of two racing registrations take an orphan over', async (t) => {
  const app = await buildTestApp(t)
  const keys = createKeyNames(app.config.redis.keyPrefix)
  const lost = await register(app)
  await app.redis.del(keys.user(lost.id))
  const answers = await Promise.all([registerAnswer(app, lost.email), registerAnswer(app, lost.email)])
  t.same(answers.map((a) => a.statusCode).sort(), [201, 409], 'one account, one 409')
  const winner = json<{ id: string }>(answers.find((a) => a.statusCode === 201)!)
  t.equal(await app.redis.get(keys.email(lost.email)), winner.id, 'the entry names the winner')
})
