// Lua scripts, one file per atomic operation under ./scripts, registered on the client with ioredis
// defineCommand (EVALSHA, falling back to EVAL on NOSCRIPT, also after a failover to a fresh node).
import { readFileSync } from 'node:fs'
import type { Cluster, Redis } from 'ioredis'

export type RedisClient = Redis | Cluster

export const SCRIPT_NAMES = ['create-family', 'rotate-refresh-token', 'revoke-family', 'revoke-all-for-user',
  'check-session', 'list-sessions', 'publish-revocation', 'begin-login-attempt', 'refund-login-attempt'] as const
export type ScriptName = typeof SCRIPT_NAMES[number]

// Scripts that read or write refresh-token families share the record codec in family-state.lua, prepended at load
// (Redis scripts cannot import one another).
const FAMILY_SCRIPTS: ReadonlySet<ScriptName> = new Set(['create-family', 'rotate-refresh-token', 'revoke-family',
  'revoke-all-for-user', 'check-session', 'list-sessions'])

type ScriptReply = Array<string | number | null>
type ScriptFn = (numberOfKeys: number, ...keysAndArgs: Array<string | number | Buffer>) => Promise<ScriptReply>

/** The Lua source of a script; files sit next to this module in src/ and are copied beside it into dist/. */
export function scriptSource (name: ScriptName): string {
  const read = (file: string) => readFileSync(new URL(`./scripts/${file}.lua`, import.meta.url), 'utf8')
  return FAMILY_SCRIPTS.has(name) ? `${read('family-state')}\n${read(name)}` : read(name)
}

const commandName = (name: ScriptName): string => `rotor_${name.replaceAll('-', '_')}`

/** Register every script on a client (idempotent per client). */
export function defineScripts (redis: RedisClient): void {
  for (const name of SCRIPT_NAMES) {
    if (typeof (redis as unknown as Record<string, unknown>)[commandName(name)] === 'function') continue
    redis.defineCommand(commandName(name), { lua: scriptSource(name) })
  }
}

/** Run a registered script. Every key it touches is passed in `keys` (one hash slot per call). */
export function runScript (redis: RedisClient, name: ScriptName, keys: string[], args: Array<string | number | Buffer>): Promise<ScriptReply> {
  const fn = (redis as unknown as Record<string, ScriptFn>)[commandName(name)]
  if (fn === undefined) throw new Error(`script ${name} is not defined on this client`)
  return fn.call(redis, keys.length, ...keys, ...args)
}
