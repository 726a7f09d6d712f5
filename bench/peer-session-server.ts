// The peer of scenario 9 (issue 13): the usual Fastify way to keep users logged in, a server-side session in Redis
// (@fastify/session with connect-redis, as their READMEs set it up), on the same Fastify and the same Redis server as
// Rotor, pinned to the same core. GET /me answers what Rotor's /me answers (id, email, session id), from the session.
// PEER_SESSION_CONFIG picks one of two set-ups, both measured: `favoured` (`rolling: false`, `saveUninitialized:
// false`), where a logged-in request costs one GET from Redis and one cookie signature check and never a write, and
// `defaults`, the library's own defaults as its README starts users with (`rolling: true`: every request writes the
// session back to Redis and sends a freshly signed cookie). `cookie.secure: false` only because the bench speaks plain
// HTTP.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { RedisStore } from 'connect-redis'
import Fastify from 'fastify'
import { createClient } from 'redis'
import { closeOnSignal, serveTasks } from './child.js'

declare module 'fastify' {
  interface Session { userId?: string, email?: string }
}

const env = process.env
const redisUrl = env.REDIS_URL
const port = Number(env.PORT)
const setUp = env.PEER_SESSION_CONFIG
if (redisUrl === undefined || !Number.isInteger(port)) throw new Error('the orchestrator passes REDIS_URL and PORT')
if (setUp !== 'favoured' && setUp !== 'defaults') throw new Error('PEER_SESSION_CONFIG must be favoured or defaults')

const client = createClient({ url: redisUrl })
await client.connect()
const app = Fastify({ logger: false })
// Its own key prefix, so the peer's sessions never mix with Rotor's keys in the shared Redis.
const store = new RedisStore({ client, prefix: `peer-${randomBytes(4).toString('hex')}:sess:` })
await app.register(fastifyCookie)
await app.register(fastifySession, {
  secret: randomBytes(32).toString('base64url'),
  store,
  ...(setUp === 'favoured' ? { rolling: false, saveUninitialized: false } : {}),
  cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: 86_400_000 }
})
app.addHook('onClose', async () => { await client.quit() })

const me = { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' }, session_id: { type: 'string' }, degraded: { type: 'boolean' } } }
app.get('/me', { schema: { response: { 200: me, 401: { type: 'object', properties: { error: { type: 'string' } } } } } }, async (request, reply) => {
  const { userId, email } = request.session
  if (userId === undefined) return reply.code(401).send({ error: 'invalid_token' })
  return { id: userId, email, session_id: request.session.sessionId, degraded: false }
})
// How seeding logs a user in: the library creates, signs and stores the session itself.
app.post<{ Body: { userId: string, email: string } }>('/bench/login', async (request) => {
  request.session.userId = request.body.userId
  request.session.email = request.body.email
  return { ok: true }
})
await app.listen({ host: '127.0.0.1', port })
closeOnSignal(app)

serveTasks({
  /** One session per user, created through the library (in-process requests), its cookie header written to `file`. */
  seed: async (input: { users: Array<{ userId: string, email: string }>, file: string }) => {
    const cookies = new Array<string>(input.users.length)
    let next = 0
    const worker = async () => {
      while (next < input.users.length) {
        const i = next++
        const response = await app.inject({ method: 'POST', url: '/bench/login', payload: input.users[i] })
        const setCookie = response.headers['set-cookie']
        const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0]
        if (response.statusCode !== 200 || cookie === undefined) throw new Error(`peer login answered ${response.statusCode} without a session cookie`)
        cookies[i] = cookie
      }
    }
    await Promise.all(Array.from({ length: 64 }, worker))
    writeFileSync(input.file, cookies.join('\n') + '\n', { mode: 0o600 })
    return { sessions: cookies.length }
  },
  /** Deletes every peer session, so the scenarios after this one see Rotor's keys only. */
  clear: async () => { await store.clear(); return null }
}, { port })
