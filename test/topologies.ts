// Real Redis topologies for tests, on free loopback ports, each in its own temp dir, torn down with the test:
// a Redis Cluster of 3 masters with 1 replica each, and a primary with 2 replicas watched by 3 Sentinels.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort, redisAnswers, startRedisServer, type RedisProcess } from '../src/redis-server.js'
import type { Test } from './helper.js'

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether `promise` has settled within `ms`. */
export async function settledWithin (promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false
  void promise.then(() => { settled = true }, () => { settled = true })
  await sleep(ms)
  return settled
}

/** Poll until `check` holds; throws after `timeoutMs` naming what never happened. */
export async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** A scratch dir removed at teardown; nodes write their cluster config, RDB transfers and Sentinel config there. */
export function scratchDir (t: Test, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rotor-${name}-`))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * A raw connection to one node, closed at teardown. It reconnects (Sentinel kills the clients of a node it
 * reconfigures) but never retries a command, so a node the test killed fails fast.
 */
export function nodeClient (t: Test, port: number): Redis {
  const redis = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 100, maxRetriesPerRequest: 0 })
  redis.on('error', () => undefined)
  t.teardown(() => redis.disconnect())
  return redis
}

const NODE_START_ATTEMPTS = 5

/**
 * redis-server nodes sharing `dir`, all stopped at teardown (even the ones a test already killed). A port found free
 * can be taken by another process before the node binds it (a busy host runs many tests at once): a node that fails
 * to start is tried again on new ports (`args` is called again).
 */
export async function startNodes (t: Test, dir: string, count: number, args: (port: number) => string[] | Promise<string[]>): Promise<RedisProcess[]> {
  const startOne = async (): Promise<RedisProcess> => {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      try {
        // A replica's first sync starts at once (by default the primary waits 5 s for more replicas to share it).
        return await startRedisServer({ port, args: ['--dir', dir, '--repl-diskless-sync-delay', '0', ...await args(port)] })
      } catch (err) {
        if (attempt >= NODE_START_ATTEMPTS) throw err
      }
    }
  }
  const started = await Promise.allSettled(Array.from({ length: count }, startOne))
  const nodes = started.flatMap((result) => result.status === 'fulfilled' ? [result.value] : [])
  // Those that did start are stopped whatever happened to the others, or they would keep the test process alive.
  t.teardown(() => Promise.all(nodes.map((node) => node.stop())))
  const failed = started.find((result) => result.status === 'rejected')
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
  return nodes
}

/** Run a command line tool to its end; rejects with its output when it fails. */
export function run (command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => { output += d.toString() })
    child.stderr.on('data', (d: Buffer) => { output += d.toString() })
    child.once('error', reject)
    child.once('exit', (code) => { if (code === 0) resolve(output); else reject(new Error(`${command} exited ${code}: ${output}`)) })
  })
}

/** A redis-server started from a config file (Sentinel needs one it can rewrite), stopped at teardown. */
export async function startFromConfig (t: Test, file: string, port: number, extra: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', [file, ...extra], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  })
  await until(`redis-server ${file} on port ${port}`, () => redisAnswers(`redis://127.0.0.1:${port}`, 200))
  return child
}

export function writeConfig (dir: string, name: string, lines: string[]): string {
  const file = join(dir, name)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/** Fields of an INFO section as a map. */
export async function info (redis: Redis, section: string): Promise<Map<string, string>> {
  const text = await redis.info(section)
  return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]))
}
