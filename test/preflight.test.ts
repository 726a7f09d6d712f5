// `npm test` starts with scripts/preflight.mjs (pretest): on a machine without the suite's real processes it must stop
// at once with one line naming what is missing and how to install it; where everything is there it says nothing.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const preflight = (path: string) => spawnSync(process.execPath, ['scripts/preflight.mjs'], { cwd: ROOT, env: { PATH: path }, encoding: 'utf8' })

t.test('npm test runs the preflight before building and testing', async (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.match(pkg.scripts.pretest, /^node scripts\/preflight\.mjs && /)
})

// scripts/tap-plugins.mjs rebuilds tap's test class before the run when `npm ci` left it with the default plugins:
// otherwise the first run after an install loads ts-node's loader into every test process beside tsx.
t.test('test processes run with tsx as their only TypeScript loader, even on the first run after an install', async (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.match(pkg.scripts.pretest, /&& node scripts\/tap-plugins\.mjs$/, 'after the build, before tap starts')
  t.same(process.execArgv.filter((arg) => arg.includes('@tapjs/typescript')), [], 'no ts-node loader in this process')
  t.ok(process.execArgv.includes('--import=tsx'), 'tsx loads the tests')
})

t.test('without redis-server, redis-cli, haproxy and a browser it exits non-zero with one line saying what to install', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'rotor-path-'))
  t.teardown(() => rmSync(empty, { recursive: true, force: true }))
  const run = preflight(empty)
  t.not(run.status, 0)
  t.equal(run.stdout, '')
  const lines = run.stderr.trim().split('\n')
  t.equal(lines.length, 1, 'one line')
  t.match(lines[0], /^npm test needs redis-server, redis-cli, haproxy, chromium on PATH: apt-get install redis-server haproxy chromium/)
})

t.test('with every tool on PATH it passes silently', async (t) => {
  const run = preflight(process.env.PATH ?? '')
  t.equal(run.status, 0, run.stderr)
  t.equal(run.stderr, '')
})
