// The abuse-protection settings: production defaults, validation with one line naming the variable, and every one
// documented in the README's configuration table (operators read the table, not the schema).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { ConfigError, EnvSchema, loadConfig } from '../src/config.js'

const ABUSE_VARIABLES = Object.keys(EnvSchema.properties).filter((name) => /^(RATE_LIMIT_|LOGIN_|PASSWORD_HASH_|OVERLOAD_)/.test(name))

t.test('applies production defaults for the limits, the back-off, hashing and load shedding', async (t) => {
  const config = loadConfig({}, { cores: 2 })
  t.same(config.rateLimits, { loginPerIpPerMinute: 30, refreshPerIpPerMinute: 120, registerPerIpPerHour: 20 })
  t.same(config.loginLockout, { afterFailures: 5, failureWindowSeconds: 900, baseSeconds: 30, maxSeconds: 900 })
  t.same(config.passwordHashing, { concurrency: 1, queueMax: 32, threadNice: 0, poolSize: 4 }) // 2 cores: one for argon2, one for the event loop; the pool's priority unchanged
  t.same(config.overload, { maxEventLoopDelayMs: 1000, maxEventLoopUtilizationPercent: 0, maxHeapUsedBytes: 0, maxRssBytes: 0, sampleIntervalMs: 1000 })
})

t.test('rejects invalid values with a single line naming the variable', async (t) => {
  const cases: Array<[string, Record<string, string>]> = [
    ['RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE', { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '-1' }],
    ['RATE_LIMIT_REGISTER_PER_IP_PER_HOUR', { RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: 'lots' }],
    ['PASSWORD_HASH_CONCURRENCY', { PASSWORD_HASH_CONCURRENCY: '0' }],
    ['OVERLOAD_MAX_EVENT_LOOP_UTILIZATION_PERCENT', { OVERLOAD_MAX_EVENT_LOOP_UTILIZATION_PERCENT: '101' }],
    ['OVERLOAD_SAMPLE_INTERVAL_MS', { OVERLOAD_SAMPLE_INTERVAL_MS: '5' }],
    // A first lock longer than the cap would make the cap meaningless.
    ['LOGIN_LOCKOUT_BASE_SECONDS', { LOGIN_LOCKOUT_BASE_SECONDS: '600', LOGIN_LOCKOUT_MAX_SECONDS: '300' }]
  ]
  for (const [variable, env] of cases) {
    let message = ''
    try {
      loadConfig(env)
      t.fail(`accepted ${JSON.stringify(env)}`)
    } catch (err) {
      t.ok(err instanceof ConfigError, `${variable}: ConfigError`)
      message = (err as Error).message
    }
    t.match(message, variable, `${JSON.stringify(env)} names ${variable}`)
    t.notMatch(message, /\n/, `${variable}: one line`)
  }
})

t.test('documents every abuse-protection variable in the README configuration table', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  t.equal(ABUSE_VARIABLES.length, 15, 'rate limits, back-off, hashing (with the pool priority) and load shedding')
  for (const name of ABUSE_VARIABLES) t.match(readme, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `${name} has a row`)
})
