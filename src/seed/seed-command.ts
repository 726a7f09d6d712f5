// `rotor seed --users N --out FILE [--password P]`: seed load-test users into the Redis the service uses and write
// the seed file for the k6 scripts. Configuration comes from the same environment variables as the service, and
// development keys and secret from the same state folder as `npm start`, so the running server accepts the tokens.
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { loadConfig, type Config } from '../config.js'
import { resolveKeySet, resolveRefreshSecret } from '../dev-secrets.js'
import { connectOrFail, createRedisClient } from '../redis-client.js'
import { passwordLengthOk } from '../users/passwords.js'
import { formatSeedFile, writeSeedFile } from './seed-file.js'
import { SEED_MAX_USERS, seedUsers } from './seed-users.js'

export const SEED_USAGE = 'rotor seed --users N --out FILE [--password P]'
const STATE_DIR = '.rotor' // as in server.ts: development keys and refresh secret

/** Where a client on this host reaches the service the configuration describes. */
export function baseUrlHint (config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`
}

/** Runs the command; returns the exit code (2: usage error). Progress and warnings go to stderr. */
export async function seedCommand (argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let values: { users?: string, out?: string, password?: string }
  try {
    ({ values } = parseArgs({ args: argv, options: { users: { type: 'string' }, out: { type: 'string' }, password: { type: 'string' } }, strict: true }))
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\nusage: ${SEED_USAGE}`)
    return 2
  }
  const count = Number(values.users)
  if (values.users === undefined || !/^[0-9]+$/.test(values.users) || count < 1 || count > SEED_MAX_USERS || values.out === undefined) {
    console.error(`--users (1 to ${SEED_MAX_USERS}) and --out are required\nusage: ${SEED_USAGE}`)
    return 2
  }
  // A fresh random password per run unless one is given: seeded accounts never share a guessable password.
  const password = values.password ?? `seed-${randomBytes(12).toString('base64url')}`
  if (!passwordLengthOk(password)) { console.error('--password must be 8 to 1024 UTF-8 bytes'); return 2 }

  const config = loadConfig(env)
  // Seeded accounts share one known password: never in a production store.
  if (config.env === 'production') { console.error('rotor seed refuses NODE_ENV=production: seed a development or test Redis'); return 2 }
  const warn = (message: string) => console.error(`WARNING: ${message}`)
  const keySet = await resolveKeySet(config, STATE_DIR, warn)
  const refreshSecret = resolveRefreshSecret(config, STATE_DIR, warn)
  // A bulk job: commands from all workers are pipelined, and a deep pipeline may legitimately take longer than the
  // service's per-request command timeout, so none is set here; queued commands and one retry cover a dropped connection.
  const redis = createRedisClient(config.redis, 'commands', { commandTimeout: false, offlineQueue: true, enableAutoPipelining: true })
  try {
    await connectOrFail(redis)
    const startedMs = Date.now()
    const result = await seedUsers({ redis, config, keySet, refreshSecret }, {
      count,
      password,
      onProgress: (done) => console.error(`seeded ${done}/${count} users`)
    })
    writeSeedFile(values.out, formatSeedFile(result, { password, baseUrlHint: baseUrlHint(config), createdAtMs: startedMs }))
    const seconds = (Date.now() - startedMs) / 1000
    console.error(`seeded ${count} users (${result.emailDomain}) in ${seconds.toFixed(1)} s; wrote ${values.out}`)
    return 0
  } finally {
    redis.disconnect()
  }
}
