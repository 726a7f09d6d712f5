#!/usr/bin/env node
// Operator commands; a process entry like server.ts, so it reads the environment (the same variables as the service).
//   rotor keys generate [--alg EdDSA|ES256] [--out FILE]  a new private JWK set for JWT_KEYS / JWT_KEYS_FILE
//   rotor users grant-role <email> <role>           e.g. make the first admin: register, then grant "admin"
//   rotor users revoke-role <email> <role>
//   rotor seed --users N --out FILE [--password P]  load-test users with live tokens, for the k6 scripts
import { loadConfig } from './config.js'
import { createKeyNames } from './key-names.js'
import { KEYS_USAGE, keysGenerateCommand } from './keys-command.js'
import { connectOrFail, createRedisClient } from './redis-client.js'
import { createDurabilityPolicy } from './redis-durability.js'
import { publishRevocation } from './revocation/revocation-feed.js'
import { ROLE_PATTERN } from './schemas/admin.js'
import { revokeAllSessions } from './sessions/session-store.js'
import { SEED_USAGE, seedCommand } from './seed/seed-command.js'
import { canonicalEmail } from './users/email.js'
import { createUserStore } from './users/user-store.js'

const USAGE = `usage: ${KEYS_USAGE} | rotor users grant-role|revoke-role <email> <role> | ${SEED_USAGE}`

async function changeRole (grant: boolean, rawEmail: string | undefined, role: string | undefined): Promise<number> {
  const email = canonicalEmail(rawEmail ?? '')
  if (email === undefined || role === undefined || !new RegExp(ROLE_PATTERN).test(role)) { console.error(USAGE); return 2 }
  const config = loadConfig(process.env)
  const redis = createRedisClient(config.redis, 'commands')
  try {
    await connectOrFail(redis)
    const keys = createKeyNames(config.redis.keyPrefix)
    const users = createUserStore({ redis, keys, nowMs: Date.now })
    const user = await users.findByEmail(email)
    if (user === undefined) { console.error(`no user with email ${email}`); return 1 }
    const roles = grant ? [...new Set([...user.roles, role])] : user.roles.filter((r) => r !== role)
    await users.setRoles(user.id, roles)
    // Same effect as the admin API: a role change ends the user's sessions, on every instance.
    const durability = createDurabilityPolicy(redis, config.redis)
    const minVersion = await revokeAllSessions({ redis, keys, idleMs: config.refresh.idleTtlSeconds * 1000, durability },
      user.id, 'roles_changed')
    const retentionMs = (config.jwt.accessTokenTtlSeconds + config.jwt.clockToleranceSeconds) * 1000
    await publishRevocation(redis, { logKey: keys.revocationLog(), channel: keys.revocationChannel(), retentionMs },
      { kind: 'user', userId: user.id, minVersion, atMs: Date.now(), reason: 'roles_changed' }, durability)
    console.log(`${email}: roles ${roles.length > 0 ? roles.join(', ') : '(none)'}; existing sessions ended`)
    return 0
  } finally {
    redis.disconnect()
  }
}

async function main (argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv
  // INIT_CWD: where `npm run` was typed (npm runs the script in the package root).
  if (group === 'keys' && command === 'generate') return keysGenerateCommand(rest, process.env.INIT_CWD ?? process.cwd())
  if (group === 'users' && (command === 'grant-role' || command === 'revoke-role')) return changeRole(command === 'grant-role', rest[0], rest[1])
  if (group === 'seed') return seedCommand(argv.slice(1), process.env)
  console.error(USAGE)
  return 2
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
})
