// Starting a private redis-server process: used by `npm start` in development when no Redis answers, and by the
// test harness. Never in production.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import net from 'node:net'

export interface RedisProcess {
  url: string
  port: number
  process: ChildProcess
  stop (): Promise<void>
}

export function redisServerInstalled (): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

/** Whether something answers PING at host:port within timeoutMs. */
export function redisAnswers (url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) })
    const done = (ok: boolean) => { socket.destroy(); resolve(ok) }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())))
  })
}

/**
 * A port nothing listens on at `host` right now. Ports are given per address: one free on 127.0.0.1 may be taken
 * on 127.0.0.3 (the three-region harness listens on 127.0.0.r), so ask on the address that will be bound.
 */
export async function freePort (host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * Start redis-server on a free loopback port. `dir` holds its data (AOF on, so a dev restart keeps sessions);
 * without it nothing is written to disk. Eviction is off: Rotor's keys must never be evicted.
 * `port` pins the port, so a restarted Redis comes back where running clients expect it (outage-recovery tests).
 * `host` is the loopback address it binds (default 127.0.0.1; the three-region harness uses 127.0.0.r).
 */
export async function startRedisServer (options: { dir?: string, args?: string[], port?: number, host?: string } = {}): Promise<RedisProcess> {
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? await freePort(host)
  const persistence = options.dir !== undefined
    ? (mkdirSync(options.dir, { recursive: true }), ['--dir', options.dir, '--appendonly', 'yes', '--save', ''])
    : ['--save', '', '--appendonly', 'no']
  const child = spawn('redis-server', ['--port', String(port), '--bind', host, '--maxmemory-policy', 'noeviction',
    ...persistence, ...(options.args ?? [])], { stdio: 'ignore' })
  const url = `redis://${host}:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Milliseconds idle; a loaded host (a CI runner, a test suite in parallel) may take seconds.
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && !(await redisAnswers(url, 200));) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`)
    await new Promise((r) => setTimeout(r, 30))
  }
  if (!(await redisAnswers(url))) { child.kill('SIGKILL'); throw new Error('redis-server did not start') }
  return {
    url,
    port,
    process: child,
    async stop () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    }
  }
}
