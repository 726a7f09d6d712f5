// Publishable as it is: what `npm pack` would put in the tarball (built output, types, README, LICENSE; no tests,
// sources or source maps), exports that resolve to built files, no runtime dependencies, and the public entry
// exporting only what users call.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))
const root = JSON.parse(readFileSync(`${dir}/../../package.json`, 'utf8'))

t.test('npm pack takes the built package and its docs, nothing else', async (t) => {
  // --ignore-scripts: the test reads what the build (run before the suite) left, it does not build.
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }))
  const files: string[] = packed.files.map((f: { path: string }) => f.path)
  for (const needed of ['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts']) t.ok(files.includes(needed), needed)
  t.same(files.filter((f) => !/^(dist\/[\w-]+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/.test(f)), [], 'nothing but those')
})

t.test('exports resolve to built files, with types first', async (t) => {
  for (const [entry, target] of Object.entries(pkg.exports as Record<string, string | Record<string, string>>)) {
    if (typeof target === 'string') { t.ok(existsSync(`${dir}/${target}`), entry); continue }
    t.equal(Object.keys(target)[0], 'types', `${entry}: types condition first`)
    for (const file of Object.values(target)) t.ok(existsSync(`${dir}/${file}`), `${entry}: ${file}`)
  }
})

t.test('declares the same engines as Rotor, no runtime dependencies, and openapi-fetch only as an optional peer', async (t) => {
  t.same(pkg.engines, root.engines)
  t.equal(pkg.license, 'MIT')
  t.equal(pkg.type, 'module')
  t.notOk(pkg.private, 'publishable')
  t.notOk(pkg.dependencies, 'nothing to install beside it: it runs in browsers as it is')
  t.ok(pkg.peerDependencies['openapi-fetch'])
  t.equal(pkg.peerDependenciesMeta['openapi-fetch'].optional, true)
  for (const [name, version] of Object.entries(pkg.devDependencies as Record<string, string>)) t.match(version, /^\d+\.\d+\.\d+$/, `${name} pinned`)
})

t.test('the built entry exports what users call, and nothing of the internals', async (t) => {
  const entry = await import(`${dir}/dist/index.js`) as Record<string, unknown>
  t.same(Object.keys(entry).sort(), [
    'REFRESH_TOKEN_KEY', 'RotorError', 'SignedOutError', 'TemporarilyUnavailableError', 'createRotorClient', 'memoryStorage'
  ])
})
