// The operator CLI (src/cli.ts) as a child process, the way the tests run it: node with the tsx loader, so a test
// sees the source it is beside without a build, and without npx's own start-up on every call.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface CliRun { code: number, stdout: string, stderr: string }

export function runCli (args: string[], options: { env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: ROOT, env: options.env ?? process.env, timeout: 180_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
      })
  })
}
