// A node that lost its script cache (SCRIPT FLUSH, a restart, a promoted replica that never ran the script) answers
// EVALSHA with NOSCRIPT. The rotation script is a defineCommand (src/sessions/scripts.ts): ioredis must fall back to
// EVAL for each of several concurrent calls, so every script runs once, not zero or two times (the durable path's own
// fallback is tested in test/redis-durable.test.ts).
import t from 'tap'
import { buildTestApp, json, rawRedis, refresh, registerAndLogin } from './helper.js'

type Tokens = { refresh_token: string, session_id: string }

t.test('refreshes issued together after Redis lost its script cache all rotate, each exactly once', async (t) => {
  const app = await buildTestApp(t)
  const users = await Promise.all(Array.from({ length: 8 }, () => registerAndLogin(app)))
  const redis = await rawRedis(t)
  t.equal(await redis.script('FLUSH'), 'OK')
  const results = await Promise.all(users.map((u) => refresh(app, u.refreshToken)))
  t.same(results.map((r) => r.statusCode), Array(8).fill(200), 'every refresh answered 200 after NOSCRIPT')
  const next = results.map((r) => json<Tokens>(r).refresh_token)
  users.forEach((u, i) => t.match(next[i], new RegExp(`^v1\\.${u.userId}\\.${u.sessionId}\\.2\\.`), 'generation 2: rotated once'))
  const again = await Promise.all(next.map((token) => refresh(app, token)))
  t.same(again.map((r) => r.statusCode), Array(8).fill(200), 'the successors rotate on')
})
