// The benchmark's child processes (app servers, load generator, baselines): TypeScript entry files run by tsx, each
// pinned with taskset at exec time so every thread it ever starts inherits the core. Parent and child talk over the
// Node IPC channel: the child says `ready` once, then answers `call`s one by one.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pinnedCommand } from './pinning.js'

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

type Message = { type: 'ready', info: unknown } | { type: 'result', id: number, value?: unknown, error?: string }

export interface Child {
  pid: number
  /** The `info` the child sent with `ready`. */
  ready: Promise<unknown>
  call<T> (task: string, input: unknown): Promise<T>
  stop (): Promise<void>
}

export function startChild (script: string, options: { core?: string, env?: Record<string, string> } = {}): Child {
  const { command, args } = pinnedCommand(options.core, [process.execPath, '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))])
  const child: ChildProcess = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    // The children's output (app logs included) goes to stderr: stdout carries only the report.
    stdio: ['ignore', 2, 2, 'ipc']
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  let nextId = 1
  const ready = new Promise<unknown>((resolve, reject) => {
    child.on('message', (message: Message) => {
      if (message.type === 'ready') { resolve(message.info); return }
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(`${script}: ${message.error}`))
      else waiter?.resolve(message.value)
    })
    void exited.then((code) => {
      const err = new Error(`${script} exited with code ${code}`)
      reject(err)
      for (const waiter of pending.values()) waiter.reject(err)
      pending.clear()
    })
  })
  ready.catch(() => undefined) // reported to whoever awaits it
  return {
    pid: child.pid!,
    ready,
    call<T> (task: string, input: unknown): Promise<T> {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        child.send({ type: 'call', id, task, input })
      })
    },
    async stop () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    }
  }
}

/** In a child: announce readiness and serve calls to the named tasks until the parent goes away. */
export function serveTasks (tasks: Record<string, (input: never) => Promise<unknown>>, info: unknown = null): void {
  const send = (message: Message) => process.send?.(message)
  process.on('message', async (message: { type: 'call', id: number, task: string, input: never }) => {
    const task = tasks[message.task]
    try {
      if (task === undefined) throw new Error(`unknown task ${message.task}`)
      send({ type: 'result', id: message.id, value: await task(message.input) })
    } catch (err) {
      send({ type: 'result', id: message.id, error: err instanceof Error ? err.stack ?? err.message : String(err) })
    }
  })
  process.on('disconnect', () => process.exit(0))
  send({ type: 'ready', info })
}

/** In a server child: on SIGTERM (or, with `onDisconnect`, when the parent goes) close `app` once, then exit. */
export function closeOnSignal (app: { close (): Promise<unknown> }, options: { onDisconnect?: boolean } = {}): void {
  let closing = false
  const close = async () => {
    if (closing) return
    closing = true
    await app.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => { void close() })
  if (options.onDisconnect === true) process.on('disconnect', () => { void close() })
}
