// Checks every package users install (packages/*) passes: publishable as it is, with what `npm pack` would put in the
// tarball (built output, types, README, LICENSE; no tests, sources or source maps) and exports that resolve to built
// files. Each package's package.test.ts adds what is its own.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface PackageJson {
  engines: { node: string }
  license?: string
  type?: string
  private?: boolean
  exports: Record<string, string | Record<string, string>>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

/** The package's folder, its package.json and Rotor's, from the test file's `import.meta.url`. */
export function workspacePackage (testFileUrl: string): { dir: string, pkg: PackageJson, root: PackageJson } {
  const dir = fileURLToPath(new URL('..', testFileUrl))
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson
  return { dir, pkg: read(`${dir}/package.json`), root: read(`${dir}/../../package.json`) }
}

/** The two tests (on the file's root tap) that every package passes; `needed`: its built entry files. */
export function checkPublishable (testFileUrl: string, needed: string[]): void {
  const { dir, pkg } = workspacePackage(testFileUrl)
  t.test('npm pack takes the built package and its docs, nothing else', async (t) => {
    // --ignore-scripts: the test reads what the build (run before the suite) left, it does not build.
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }))
    const files: string[] = packed.files.map((f: { path: string }) => f.path)
    for (const file of ['README.md', 'LICENSE', 'package.json', ...needed]) t.ok(files.includes(file), file)
    t.same(files.filter((f) => !/^(dist\/[\w-]+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/.test(f)), [], 'nothing but those')
  })

  t.test('exports resolve to built files, with types first', async (t) => {
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') { t.ok(existsSync(`${dir}/${target}`), entry); continue }
      t.equal(Object.keys(target)[0], 'types', `${entry}: types condition first`)
      for (const file of Object.values(target)) t.ok(existsSync(`${dir}/${file}`), `${entry}: ${file}`)
    }
  })
}
