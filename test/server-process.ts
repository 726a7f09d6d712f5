// The compiled server as a child process: `node dist/server.js` with exactly the given environment (plus PATH).
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { generateKeySetJson } from '../src/tokens/key-set.js'
import { redisUrl, REFRESH_SECRET, uniquePrefix, type Test } from './helper.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface ServerProcess { child: ChildProcess, output: () => string, exited: Promise<number | null> }

/** Collects stdout and stderr; killed at teardown if still running. */
export function startServer (t: Test, env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  return { child, output: () => output, exited }
}

/** A production environment for the built server on `port`: real keys and secret, this test's Redis, a fresh prefix. */
export async function productionEnv (port: number, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: await redisUrl(),
    REDIS_KEY_PREFIX: uniquePrefix(),
    NODE_ENV: 'production',
    JWT_KEYS: await generateKeySetJson('EdDSA'),
    REFRESH_TOKEN_SECRET: REFRESH_SECRET,
    // No balancer watches these instances: SIGTERM closes at once unless a test asks for the drain.
    SHUTDOWN_DRAIN_SECONDS: '0',
    // Not shed on a busy test host (the overload tests run in-process with their own thresholds).
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...extra
  }
}

/** Resolves once `base` answers /readyz with 200; throws with the server's output if it exits or never gets there. */
/** How long a spawned server may take to boot: seconds idle, far longer on a host with a load average of 15. */
export const BOOT_TIMEOUT_MS = 120_000

export async function waitUntilReady (base: string, server: ServerProcess, timeoutMs = BOOT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`)
    if (await fetch(`${base}/readyz`).then((res) => res.ok, () => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server never became ready at ${base}:\n${server.output()}`)
}
