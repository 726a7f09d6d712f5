// `npm test` runs this after the build (pretest): tap builds its test class with the plugins package.json asks for
// ("!@tapjs/typescript": tsx loads the TypeScript instead), but when that build is stale, as after every `npm ci`,
// tap rebuilds it only once it has already chosen the loaders for the run: the first run then loads ts-node's loader
// too, in every test process (about a second of CPU each, minutes of a suite on two cores). Rebuilt here, before
// tap starts, and only when the built plugin set differs from the configured one.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const tapBin = join(dirname(require.resolve('tap/package.json')), 'dist', 'esm', 'run.mjs')
const tap = (...args) => spawnSync(process.execPath, [tapBin, ...args], { encoding: 'utf8' })
const sorted = (text) => text.split('\n').map((line) => line.trim()).filter(Boolean).sort().join('\n')

const listed = tap('plugin', 'list')
if (listed.status !== 0) {
  console.error(`tap plugin list failed:\n${listed.stderr}`)
  process.exit(1)
}
// The built class records its plugin set as a string export; the module itself cannot be imported outside a tap run.
const builtFile = join(dirname(require.resolve('@tapjs/test/package.json')), 'test-built', 'dist', 'esm', 'index.js')
const signature = /^export const signature = `([^`]*)`/m.exec(readFileSync(builtFile, 'utf8'))?.[1]
if (signature === undefined || sorted(listed.stdout) !== sorted(signature)) {
  const built = tap('build')
  if (built.status !== 0) {
    console.error(`tap build failed:\n${built.stdout}${built.stderr}`)
    process.exit(1)
  }
}
