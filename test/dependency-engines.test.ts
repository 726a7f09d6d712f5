// `engines` must stay honest: every package the lockfile installs (what `npm ci` puts on disk, dev tools included)
// declares a Node range that covers every Node our package.json accepts, so `npm ci` on any Node we promise prints no
// EBADENGINE warning and nothing we ship or test with may refuse to run there. Our range is the LTS lines from
// 20.19 on (require(esm) unflagged); odd-numbered releases are end-of-life and several dev tools exclude them.
import t from 'tap'
import { readFileSync } from 'node:fs'
import semver from 'semver'

const read = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')) as Record<string, unknown>
const pkg = read('package.json') as { engines: { node: string } }
const lock = read('package-lock.json') as { packages: Record<string, { version?: string, engines?: { node?: string } | string[] }> }

t.test('declares a valid Node range that the running Node satisfies', async (t) => {
  t.ok(semver.validRange(pkg.engines.node), pkg.engines.node)
  t.ok(semver.satisfies(process.version, pkg.engines.node), `${process.version} is within ${pkg.engines.node}`)
})

t.test('every installed package supports every Node version our engines field accepts', async (t) => {
  const narrower: string[] = []
  let checked = 0
  for (const [path, entry] of Object.entries(lock.packages)) {
    // Old packages wrote engines as an array of strings; npm ignores that form, and so do we.
    const range = path === '' || Array.isArray(entry.engines) ? undefined : entry.engines?.node
    if (range === undefined) continue
    checked++
    if (!semver.subset(pkg.engines.node, range)) narrower.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${range}`)
  }
  t.ok(checked > 50, `the lockfile was read (${checked} packages declare engines)`)
  t.same(narrower, [], `packages whose engines exclude part of ${pkg.engines.node}`)
})

t.test('the cookie library in use is one whose engines include Node 20', async (t) => {
  // cookie 2.x is ESM-only and declares node >= 22; @fastify/cookie 11.0 and light-my-request 6.6 use cookie 1.x
  // (and express-session, which the benchmark's peer needs, 0.7).
  const cookies = Object.entries(lock.packages).filter(([path]) => path.endsWith('node_modules/cookie'))
  for (const user of ['@fastify/cookie', 'fastify']) {
    const version = (lock.packages[`node_modules/${user}/node_modules/cookie`] ?? lock.packages['node_modules/cookie'])?.version ?? ''
    t.equal(semver.major(version), 1, `${user} resolves cookie ${version}`)
  }
  for (const [path, entry] of cookies) t.ok(semver.major(entry.version ?? '9.0.0') < 2, `${path}@${entry.version}`)
})
