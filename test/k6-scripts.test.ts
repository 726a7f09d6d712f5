// The k6 scripts run in k6's own JavaScript runtime, not in Node, and nothing else here executes them. They are kept to
// ES2017 syntax, which every k6 from 0.45 on runs without transpiling, and type-checked against k6's API, so that a
// newer construct, a misspelt option or a wrong call fails here rather than at the start of a load test.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parse, type Program } from 'acorn'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const K6_DIR = new URL('../k6/', import.meta.url)
const scripts = readdirSync(K6_DIR).filter((name) => name.endsWith('.js')).sort()

const parseEs2017 = (source: string): Program => parse(source, { ecmaVersion: 2017, sourceType: 'module' })

t.test('has a script for each workload and the shared helper', async (t) => {
  t.same(scripts, ['lib.js', 'login.js', 'mixed.js', 'refresh.js', 'validation.js'])
})

t.test('parses every k6 script as an ES2017 module', async (t) => {
  for (const name of scripts) {
    const source = readFileSync(new URL(name, K6_DIR), 'utf8')
    t.doesNotThrow(() => parseEs2017(source), name)
  }
})

t.test('the ES2017 parser setting rejects syntax newer k6 versions alone would run', async (t) => {
  const newer: Record<string, string> = {
    'optional chaining (ES2020)': 'const v = a?.b',
    'nullish coalescing (ES2020)': 'const v = a ?? b',
    'object spread (ES2018)': 'const v = { ...x }',
    'object rest (ES2018)': 'const { a, ...rest } = x',
    'class fields (ES2022)': 'class A { x = 1 }',
    'optional catch binding (ES2019)': 'try { f() } catch { g() }'
  }
  for (const [what, source] of Object.entries(newer)) t.throws(() => parseEs2017(source), SyntaxError, what)
  // The same snippets are valid at a newer level, so the failures above come from the version setting alone.
  for (const source of Object.values(newer)) parse(source, { ecmaVersion: 2022, sourceType: 'module' })
})

t.test('imports only k6 modules and local files', async (t) => {
  // A Node built-in or an npm package would resolve in an editor but fail in k6 at start-up.
  for (const name of scripts) {
    const program = parseEs2017(readFileSync(new URL(name, K6_DIR), 'utf8'))
    for (const node of program.body) {
      if (node.type !== 'ImportDeclaration') continue
      t.match(String(node.source.value), /^(k6(\/[a-z-]+)?|\.\/[a-z-]+\.js)$/, `${name} imports ${String(node.source.value)}`)
    }
  }
})

t.test('type-checks the k6 scripts against the k6 API types', async (t) => {
  const result = await new Promise<{ code: number, output: string }>((resolve) => {
    execFile(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'k6/tsconfig.json'], { cwd: ROOT, timeout: 240_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, output: stdout + stderr })
    })
  })
  t.equal(result.code, 0, result.code === 0 ? 'tsc finds no type error' : result.output)
})

/** A function declared in k6/lib.js, compiled on its own with a stand-in for k6's __ENV. */
function libFunction (name: string, env: Record<string, string>): (...args: unknown[]) => unknown {
  const source = readFileSync(new URL('lib.js', K6_DIR), 'utf8')
  const node = parseEs2017(source).body.find((n) => n.type === 'ExportNamedDeclaration' && n.declaration?.type === 'FunctionDeclaration' &&
    n.declaration.id.name === name)
  if (node === undefined || node.type !== 'ExportNamedDeclaration') throw new Error(`${name} is not exported by lib.js`)
  return new Function('__ENV', `${source.slice(node.declaration!.start, node.declaration!.end)}; return ${name}`)(env) as (...args: unknown[]) => unknown
}

t.test('TOKENS_FILE is resolved from the folder k6 was started in, as users write paths', async (t) => {
  const resolve = libFunction('resolveTokensFile', { PWD: '/home/me/rotor/' })
  t.equal(resolve('k6/tokens.json'), '/home/me/rotor/k6/tokens.json', 'relative: from the current folder, not from k6/')
  t.equal(resolve('./run/tokens.json'), '/home/me/rotor/run/tokens.json')
  t.equal(resolve('/k6-seed/tokens.json'), '/k6-seed/tokens.json', 'absolute: as given (the compose stack)')
  t.equal(resolve(undefined), './tokens.json', 'unset: beside the scripts, where the README seeds it')
  t.equal(libFunction('resolveTokensFile', {})('k6/tokens.json'), 'k6/tokens.json', 'no PWD: k6\'s own rule')
})

t.test('every script stops in setup, with its own message, when k6 flags replace its scenarios', async (t) => {
  for (const name of scripts.filter((s) => s !== 'lib.js')) {
    const source = readFileSync(new URL(name, K6_DIR), 'utf8')
    const defined = [...source.matchAll(/^\s+(\w+): \{ executor:/gm)].map((m) => m[1]).sort()
    const checked = /checkOwnScenarios\(\[([^\]]*)\]\)/.exec(source)?.[1]?.match(/'(\w+)'/g)?.map((s) => s.slice(1, -1)).sort()
    t.ok(defined.length > 0, `${name} defines scenarios`)
    t.same(checked, defined, `${name} checks for exactly its scenarios`)
    t.match(source, /summaryTrendStats: SUMMARY_TREND_STATS/, `${name} prints p(99)`)
  }
})
