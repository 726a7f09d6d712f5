// `npm run bench:instructions`: the cold and warm paths of a resource server counted in CPU instructions
// (valgrind's callgrind), not in seconds. Counts repeat run after run whatever else the machine does, so this is the
// figure to compare code changes with on a busy or shared machine; `npm run bench` gives the rates, which also pay
// for what instructions do not show (cache misses, the signature check running interleaved with HTTP work).
// Each kind runs as its own process (./child.ts); its setup is subtracted (kind `none`), leaving instructions per
// request. Ratios: warm over bare, and cold against its bound, one raw crypto.verify plus one bare request.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../child.js'
import type { Kind } from './child.js'
import { writeSetup } from './setup.js'

// One thread for V8's compilers and GC, predictable heuristics: counts that repeat from process to process.
const V8_FLAGS = (process.env.BENCH_INSTRUCTION_V8_FLAGS ?? '--single-threaded --predictable').split(' ').filter((f) => f !== '')
const CHILD = join(REPO_ROOT, 'bench/instructions/child.ts')
const KINDS: Kind[] = (process.env.BENCH_INSTRUCTION_KINDS ?? 'none,bare,warm,free,cold,raw').split(',') as Kind[]
const requests = Number(process.env.BENCH_INSTRUCTION_REQUESTS ?? 1000)
if (!Number.isSafeInteger(requests) || requests < 10 || requests > 100_000) throw new Error('BENCH_INSTRUCTION_REQUESTS: a whole number from 10 to 100000')
if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('valgrind is not installed (Debian: apt-get install valgrind); it counts the instructions')
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'rotor-instructions-'))
try {
  await writeSetup(dir, requests)
  // Once outside callgrind first: tsx compiles and caches the sources, so no counted run pays for compiling them.
  const warmUp = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'none', dir], { cwd: REPO_ROOT, encoding: 'utf8' })
  if (warmUp.status !== 0) throw new Error(`the measuring child failed: ${warmUp.stderr}`)
  const totals = new Map<Kind, number>()
  const queue = [...KINDS]
  const worker = async (): Promise<void> => {
    for (let kind = queue.shift(); kind !== undefined; kind = queue.shift()) {
      console.error(`counting ${kind} (${requests} requests under callgrind: minutes)`)
      totals.set(kind, await count(kind))
    }
  }
  await Promise.all(Array.from({ length: Math.min(KINDS.length, Math.max(1, availableParallelism())) }, worker))

  const per = (kind: Kind): number => (totals.get(kind)! - totals.get('none')!) / requests
  const bound = per('raw') + per('bare')
  const rows: Array<[string, string]> = [
    ...KINDS.filter((k) => k !== 'none').map((k) => [`${k} (per request)`, Math.round(per(k)).toLocaleString('en')] as [string, string]),
    ['warm vs bare (bare ÷ warm)', pct(per('bare') / per('warm'))],
    ['cold vs 1/(raw verify + bare)', pct(bound / per('cold'))],
    ['cold vs the free verifier', pct(per('free') / per('cold'))]
  ]
  for (const [label, value] of rows) console.log(`${label.padEnd(34)} ${value.padStart(12)}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}

function pct (x: number): string { return `${(100 * x).toFixed(1)}%` }

/** The instructions one child process executed, from callgrind's closing summary. */
function count (kind: Kind): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${join(dir, `callgrind.${kind}`)}`,
      process.execPath, ...V8_FLAGS, '--import', 'tsx', CHILD, kind, dir], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    child.on('close', (code) => {
      const collected = /Collected : (\d+)/.exec(stderr)
      if (code !== 0 || collected === null) reject(new Error(`${kind}: exit ${code}\n${stderr.slice(-2000)}`))
      else resolve(Number(collected[1]))
    })
  })
}
