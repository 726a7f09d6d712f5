// Publishable as it is: what `npm pack` would put in the tarball (built output, types, README, LICENSE; no tests,
// sources or source maps) and exports that resolve to built files (test/workspace-package.ts), and engines equal to Rotor's.
import t from 'tap'
import { checkPublishable, workspacePackage } from '../../../test/workspace-package.js'

const { pkg, root } = workspacePackage(import.meta.url)

checkPublishable(import.meta.url, ['dist/index.js', 'dist/index.d.ts', 'dist/fastify-plugin.js', 'dist/fastify-plugin.d.ts'])

t.test('declares the same engines as Rotor, a license, and fastify only as a peer', async (t) => {
  t.same(pkg.engines, root.engines)
  t.equal(pkg.license, 'MIT')
  t.equal(pkg.type, 'module')
  t.notOk(pkg.private, 'publishable')
  t.ok(pkg.peerDependencies?.fastify)
  t.notOk(pkg.dependencies?.fastify)
  for (const [name, version] of Object.entries(pkg.dependencies ?? {})) t.match(version, /^\d+\.\d+\.\d+$/, `${name} pinned`)
})
