// A client that gets a 503 and retries as Retry-After says is never logged out. Redis is paused (CLIENT PAUSE) for
// longer than the grace window, so the first rotation times out (503) yet is applied once Redis resumes, along with
// the retries queued behind it. The grace window is measured on Redis's clock from when the rotation ran, not from
// when the instance sent it, so the retry that finally gets through is answered with the successor.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, json, rawRedis, refresh, registerAndLogin } from './helper.js'

const PAUSE_MS = 6500 // well beyond the grace window below
const env = { REDIS_COMMAND_TIMEOUT_MS: '200', REFRESH_REUSE_GRACE_SECONDS: '4' }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a refresh that timed out but was applied is answered on its retry, and the family stays alive', async (t) => {
  const app = await buildTestApp(t, { env, storeClock: 'redis' })
  const redis = await rawRedis(t)
  const user = await registerAndLogin(app)
  await refresh(app, user.refreshToken).then(async (res) => { // a first rotation loads the script
    user.refreshToken = json<{ refresh_token: string }>(res).refresh_token
  })

  await redis.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL')
  const statuses: number[] = []
  let res: LightMyRequestResponse = await refresh(app, user.refreshToken)
  statuses.push(res.statusCode)
  t.equal(res.statusCode, 503, 'the first call times out')
  for (let attempt = 0; attempt < 10 && res.statusCode === 503; attempt++) {
    await sleep(Number(res.headers['retry-after']) * 1000) // as told
    res = await refresh(app, user.refreshToken)
    statuses.push(res.statusCode)
  }
  t.comment(`statuses: ${statuses.join(' ')}`)
  t.equal(res.statusCode, 200, 'the retry after Redis resumed gets tokens, not reuse')
  const next = await refresh(app, json<{ refresh_token: string }>(res).refresh_token)
  t.equal(next.statusCode, 200, 'the family was not revoked')
})
