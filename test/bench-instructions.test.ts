// `npm run bench:instructions` counts what its children do under callgrind; here each child runs without it, so the
// suite checks what is counted: every kind does its requests, each answered 200 (the child exits non-zero otherwise).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeSetup } from '../bench/instructions/setup.js'

t.test('every measured kind serves its requests: bare, warm, a free verifier, cold, raw verification, setup only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-instructions-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  await writeSetup(dir, 5)
  // One child runs them all in turn (cold last, its tokens unseen): a failing kind names its route and fails it.
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/instructions/child.ts', 'none,bare,warm,free,raw,cold', dir], { encoding: 'utf8', timeout: 120_000 })
  t.equal(child.status, 0, child.stderr.slice(-500))
})

t.test('a kind that fails its requests makes the child fail, so a broken path is never counted as cheap', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-instructions-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  await writeSetup(dir, 2)
  // Another issuer: every /hello is refused.
  const setupFile = join(dir, 'setup.json')
  const { writeFileSync, readFileSync } = await import('node:fs')
  writeFileSync(setupFile, JSON.stringify({ ...JSON.parse(readFileSync(setupFile, 'utf8')), issuer: 'https://other.example.com' }))
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/instructions/child.ts', 'cold', dir], { encoding: 'utf8', timeout: 120_000 })
  t.not(child.status, 0)
  t.match(child.stderr, /\/hello: 401/)
})
