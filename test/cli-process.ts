// The operator CLI as a child process, the way users run it: the `rotor` bin, `node dist/cli.js` (built by the test
// command's pre-script, as the server the process tests start is). Without the TypeScript loader and npx, each call
// costs a second less CPU, which a suite of many calls on a 2-core host feels.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface CliRun { code: number, stdout: string, stderr: string }

export function runCli (args: string[], options: { env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli.js', ...args],
      { cwd: ROOT, env: options.env ?? process.env, timeout: 180_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
      })
  })
}
