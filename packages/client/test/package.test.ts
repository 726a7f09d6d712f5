// Publishable as it is (test/workspace-package.ts: what npm pack takes, exports resolving to built files), no runtime
// dependencies, and the public entry exporting only what users call.
import t from 'tap'
import { checkPublishable, workspacePackage } from '../../../test/workspace-package.js'

const { dir, pkg, root } = workspacePackage(import.meta.url)

checkPublishable(import.meta.url, ['dist/index.js', 'dist/index.d.ts'])

t.test('declares the same engines as Rotor, no runtime dependencies, and openapi-fetch only as an optional peer', async (t) => {
  t.same(pkg.engines, root.engines)
  t.equal(pkg.license, 'MIT')
  t.equal(pkg.type, 'module')
  t.notOk(pkg.private, 'publishable')
  t.notOk(pkg.dependencies, 'nothing to install beside it: it runs in browsers as it is')
  t.ok(pkg.peerDependencies?.['openapi-fetch'])
  t.equal(pkg.peerDependenciesMeta?.['openapi-fetch']?.optional, true)
  for (const [name, version] of Object.entries(pkg.devDependencies ?? {})) t.match(version, /^\d+\.\d+\.\d+$/, `${name} pinned`)
})

t.test('the built entry exports what users call, and nothing of the internals', async (t) => {
  const entry = await import(`${dir}/dist/index.js`) as Record<string, unknown>
  t.same(Object.keys(entry).sort(), [
    'REFRESH_TOKEN_KEY', 'RotorError', 'SignedOutError', 'TemporarilyUnavailableError', 'createRotorClient', 'memoryStorage'
  ])
})
