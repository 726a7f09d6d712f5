// The example resource server (examples/resource-server, the @rotor/verify Fastify plugin) as a real process, aimed
// at a Rotor instance by env alone, the way a user runs it: it discovers the keys and the revocation feed from the
// RFC 8414 metadata. For the end-to-end revocation tests.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Test } from './helper.js'
import { eventually, FEED_CREDENTIAL } from './feed-helper.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface ResourceServer {
  base: string
  /** Status of GET /hello with this bearer token. */
  hello (token: string): Promise<number>
  health (): Promise<{ status: number, body: Record<string, unknown> }>
  stop (): Promise<void>
}

export async function startResourceServer (t: Test, issuer: string): Promise<ResourceServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/resource-server/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, ROTOR_ISSUER: issuer, ROTOR_FEED_CREDENTIAL: FEED_CREDENTIAL, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk })
  const stop = async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  t.teardown(stop)
  const listening = /resource server on (http:\/\/127\.0\.0\.1:\d+)/
  await eventually(() => listening.test(output) || child.exitCode !== null, 'the resource server listens', 60_000)
  const base = listening.exec(output)?.[1]
  if (base === undefined) throw new Error(`the resource server did not start:\n${output.slice(-2000)}`)
  return {
    base,
    hello: async (token) => (await fetch(`${base}/hello`, { headers: { authorization: `Bearer ${token}` } })).status,
    health: async () => {
      const res = await fetch(`${base}/healthz`)
      return { status: res.status, body: await res.json() as Record<string, unknown> }
    },
    stop
  }
}
