// Lua scripts, one file per atomic operation under ./scripts, registered on the client with ioredis
// defineCommand (EVALSHA, falling back to EVAL on NOSCRIPT, also after a failover to a fresh node).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Cluster, Redis } from 'ioredis'
import { NotReplicatedError, StoreUnavailableError } from '../redis-errors.js'
import { coalesceWrites } from '../redis-write-coalescing.js'

export type RedisClient = Redis | Cluster

export const SCRIPT_NAMES = ['create-family', 'rotate-refresh-token', 'revoke-family', 'revoke-all-for-user',
  'check-session', 'list-sessions', 'publish-revocation', 'begin-login-attempt', 'refund-login-attempt', 'mark-undelivered',
  'forget-family', 'take-over-email'] as const
export type ScriptName = typeof SCRIPT_NAMES[number]

// Shared Lua prepended at load (Redis scripts cannot import one another): the store's clock (store-clock.lua) for
// every script that decides a time window, the record codec (family-state.lua) for those that read or write families.
const FAMILY_SCRIPTS: ReadonlySet<ScriptName> = new Set(['create-family', 'rotate-refresh-token', 'revoke-family',
  'revoke-all-for-user', 'check-session', 'list-sessions', 'mark-undelivered', 'forget-family'])
const CLOCK_SCRIPTS: ReadonlySet<ScriptName> = new Set([...FAMILY_SCRIPTS, 'begin-login-attempt'])

type ScriptReply = Array<string | number | null>
type ScriptFn = (numberOfKeys: number, ...keysAndArgs: Array<string | number | Buffer>) => Promise<ScriptReply>

/** The Lua source of a script; files sit next to this module in src/ and are copied beside it into dist/. */
export function scriptSource (name: ScriptName): string {
  const read = (file: string) => readFileSync(new URL(`./scripts/${file}.lua`, import.meta.url), 'utf8')
  const preludes = [CLOCK_SCRIPTS.has(name) ? 'store-clock' : '', FAMILY_SCRIPTS.has(name) ? 'family-state' : '']
  return [...preludes.filter((file) => file !== ''), name].map(read).join('\n')
}

const commandName = (name: ScriptName): string => `rotor_${name.replaceAll('-', '_')}`

/** Register every script on a client (idempotent per client). */
export function defineScripts (redis: RedisClient): void {
  for (const name of SCRIPT_NAMES) {
    if (typeof (redis as unknown as Record<string, unknown>)[commandName(name)] === 'function') continue
    redis.defineCommand(commandName(name), { lua: scriptSource(name) })
  }
}

/**
 * The ARGV "now" of a script that decides a time window: '' (Redis TIME, production), or a test's injected clock.
 * Every window is decided on the store's clock so instances need not agree on time (store-clock.lua).
 */
export function nowOverride (storeClock: (() => number) | undefined): number | string {
  return storeClock === undefined ? '' : storeClock()
}

/** Run a registered script. Every key it touches is passed in `keys` (one hash slot per call). */
export function runScript (redis: RedisClient, name: ScriptName, keys: string[], args: Array<string | number | Buffer>): Promise<ScriptReply> {
  const fn = (redis as unknown as Record<string, ScriptFn>)[commandName(name)]
  if (fn === undefined) throw new Error(`script ${name} is not defined on this client`)
  coalesceWrites(redis)
  return fn.call(redis, keys.length, ...keys, ...args)
}

/** Replicas that must acknowledge a write before it is answered (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS). */
export interface Durability { replicas: number, timeoutMs: number }

const shas = new Map<ScriptName, string>()
/** The SHA1 a script runs under (EVALSHA), as ioredis computes it for defineCommand. */
export function scriptSha (name: ScriptName): string {
  let sha = shas.get(name)
  if (sha === undefined) shas.set(name, sha = createHash('sha1').update(scriptSource(name)).digest('hex'))
  return sha
}

// Redirections followed here: WAIT answers even when the script was redirected, so ioredis cannot retry the pipeline.
const MAX_ATTEMPTS = 5

/**
 * Run a script, then `WAIT replicas timeoutMs`, in ONE pipeline: WAIT counts the writes made on its own connection,
 * and in a Cluster both go to the node owning the keys' slot. With `replicas` 0 this is runScript.
 * Returns the script's reply. Throws NotReplicatedError (NOREPLICAS, or the WAIT's own error) when fewer replicas
 * acknowledged in time: the write stands on the primary but could be lost in a failover, so the caller must not hand
 * out what it wrote (answered 503); the error carries the script's reply so the caller can record that it did not.
 * A NOSCRIPT (a fresh or flushed server) is answered by sending the source once (EVAL); the script had not run.
 * MOVED/ASK (a failover or slot migration in a Cluster) are followed to the named node.
 */
export async function runScriptDurably (redis: RedisClient, name: ScriptName, keys: string[], args: Array<string | number | Buffer>, durability: Durability): Promise<ScriptReply> {
  if (durability.replicas <= 0) return runScript(redis, name, keys, args)
  // A Cluster pipeline waits for the first slot map however long that takes; the offline queue is off everywhere else.
  if (redis.isCluster && redis.status !== 'ready') throw new StoreUnavailableError("Cluster isn't ready and enableOfflineQueue options is false")
  let target: RedisClient = redis
  let asking = false
  let loaded = true
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pipeline = target.pipeline()
    if (asking) pipeline.asking()
    if (loaded) pipeline.evalsha(scriptSha(name), keys.length, ...keys, ...args)
    else pipeline.eval(scriptSource(name), keys.length, ...keys, ...args)
    pipeline.wait(durability.replicas, durability.timeoutMs)
    coalesceWrites(target)
    const results = (await execPipeline(pipeline)).slice(asking ? 1 : 0)
    const [scriptErr, reply] = results[0] ?? [new StoreUnavailableError('empty pipeline reply')]
    const [waitErr, acked] = results[1] ?? [new StoreUnavailableError('empty pipeline reply')]
    if (scriptErr) {
      if (loaded && scriptErr.message.startsWith('NOSCRIPT')) { loaded = false; continue }
      const redirect = /^(MOVED|ASK) [0-9]+ (\S+)/.exec(scriptErr.message)
      const node = redirect === null ? undefined : clusterNode(redis, redirect[2] ?? '')
      if (node === undefined) throw scriptErr
      target = node
      asking = redirect?.[1] === 'ASK'
      continue
    }
    // The script ran; only its replication is in doubt (e.g. UNBLOCKED: the node was demoted while WAIT was blocked).
    if (waitErr) throw new NotReplicatedError(`WAIT failed: ${waitErr.message}`, reply as ScriptReply)
    if (Number(acked) < durability.replicas) {
      throw new NotReplicatedError(`NOREPLICAS ${Number(acked)} of ${durability.replicas} replicas acknowledged the write within ${durability.timeoutMs} ms`, reply as ScriptReply)
    }
    return reply as ScriptReply
  }
  throw new StoreUnavailableError(`TRYAGAIN script ${name} was redirected ${MAX_ATTEMPTS} times`)
}

/** A pipeline that could not be sent or whose replies never came (connection closed, slot map changing) is an outage. */
async function execPipeline (pipeline: ReturnType<RedisClient['pipeline']>): Promise<Array<[Error | null, unknown]>> {
  try {
    return (await pipeline.exec()) ?? []
  } catch (err) {
    throw new StoreUnavailableError(`pipeline failed: ${(err as Error).message}`)
  }
}

/** The pool connection to a Cluster node named in a redirection ("host:port"); the slot map is re-read meanwhile. */
function clusterNode (redis: RedisClient, address: string): Redis | undefined {
  if (!redis.isCluster) return undefined
  const cluster = redis as Cluster
  cluster.refreshSlotsCache()
  return cluster.nodes('all').find((node) => `${node.options.host}:${node.options.port}` === address)
}
