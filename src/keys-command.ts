// `rotor keys generate [--alg EdDSA|ES256] [--out FILE]`: a new private JWK set for JWT_KEYS / JWT_KEYS_FILE.
// With --out the set goes straight to FILE (mode 0600, parent folders created 0700), never through a shell redirect:
// `npm run keys:generate > file` would also capture npm's own banner lines, and the server refuses such a file.
// An existing FILE is never overwritten: replacing a live key set would invalidate every token signed with it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { generateKeySetJson, SIGNING_ALGS, type SigningAlg } from './tokens/key-set.js'

export const KEYS_USAGE = 'rotor keys generate [--alg EdDSA|ES256] [--out FILE]'

/**
 * `baseDir` resolves a relative FILE: npm runs scripts in the package root, so the CLI passes INIT_CWD (the folder
 * `npm run` was typed in) and a path means what it means in the user's shell. Returns the exit code.
 */
export async function keysGenerateCommand (args: string[], baseDir: string): Promise<number> {
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] ?? '' : undefined
  }
  const alg = (option('--alg') ?? 'EdDSA') as SigningAlg
  if (!SIGNING_ALGS.includes(alg)) { console.error(`--alg must be one of ${SIGNING_ALGS.join(', ')}`); return 2 }
  const out = option('--out')
  if (out === '') { console.error(`--out needs a file name; usage: ${KEYS_USAGE}`); return 2 }
  const json = await generateKeySetJson(alg)
  if (out === undefined) {
    process.stdout.write(json)
    return 0
  }
  const file = resolve(baseDir, out)
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  try {
    writeFileSync(file, json, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    console.error(`${out} already exists: not replacing a key set (tokens signed with it would stop verifying); choose another file or delete it first`)
    return 1
  }
  console.error(`wrote a new ${alg} private key set to ${out} (mode 0600)`)
  return 0
}
