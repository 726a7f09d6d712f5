// The key-generation command as the README and docker-compose.yml tell a new user to type it, run verbatim by a shell
// in a scratch copy of the project (its own dist/, so the pre-script's build cannot disturb other tests): the file it
// writes must be a key set the server loads, readable by its owner only. A `> file` redirect once captured npm's
// banner lines, and every compose instance then refused to boot.
import t from 'tap'
import { exec } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadKeySet } from '../src/tokens/key-set.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const KEYS_FILE = 'secrets/jwt-keys.json'

/** Every command in backticks (README) or on a comment line (compose) that writes the compose stack's key file. */
function documentedCommands (file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const spans = [...text.matchAll(/`([^`\n]*keys:generate[^`\n]*)`/g)].map((m) => m[1]!)
  const comments = [...text.matchAll(/^#\s+(npm run[^\n]*keys:generate[^\n]*)$/gm)].map((m) => m[1]!.trim())
  return [...spans, ...comments].filter((c) => c.includes(KEYS_FILE))
}

function sh (line: string, cwd: string): Promise<{ code: number, output: string }> {
  // A user's shell has no INIT_CWD; one inherited from `npm test` would point the command at this checkout.
  const env = { ...process.env }
  delete env.INIT_CWD
  return new Promise((resolve) => {
    exec(line, { cwd, env, timeout: 240_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, output: stdout + stderr })
    })
  })
}

t.test('the README and docker-compose.yml give one command for the key file, and it writes a loadable 0600 key set', { timeout: 300_000 }, async (t) => {
  const readme = documentedCommands('README.md')
  const compose = documentedCommands('docker-compose.yml')
  t.ok(readme.length > 0, 'the README documents it')
  t.same([...new Set([...readme, ...compose])], [readme[0]], 'README and docker-compose.yml show the same command')
  const line = readme[0]!
  t.notMatch(line, />/, 'no shell redirect: the CLI writes the file itself')

  const project = mkdtempSync(join(tmpdir(), 'rotor-keys-'))
  t.teardown(() => rmSync(project, { recursive: true, force: true }))
  // dist/ comes too, timestamps kept: the pre-script's build (tsc -b) then finds it up to date instead of rebuilding.
  for (const path of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'scripts', 'dist', 'packages']) {
    cpSync(join(ROOT, path), join(project, path), { recursive: true, preserveTimestamps: true })
  }
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir')

  const first = await sh(line, project)
  t.equal(first.code, 0, first.output)
  const written = join(project, KEYS_FILE)
  const keySet = loadKeySet(readFileSync(written, 'utf8'), 'EdDSA')
  t.equal(keySet.signing.alg, 'EdDSA', 'the whole file is one JSON key set')
  t.equal(statSync(written).mode & 0o777, 0o600, 'readable by its owner only')

  // The refusal is the CLI's: run it straight (npm's start-up and the pre-script's build once are enough per test).
  const again = await sh(`node dist/cli.js keys generate ${line.split(' -- ')[1]!}`, project)
  t.not(again.code, 0, 'a second run refuses to replace the key set')
  t.match(again.output, /already exists/)
  t.equal(loadKeySet(readFileSync(written, 'utf8'), 'EdDSA').signing.kid, keySet.signing.kid, 'the first key set is intact')
})
