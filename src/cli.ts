#!/usr/bin/env node
// Operator commands. `keys generate [--alg EdDSA|ES256]` prints a new private JWK set for JWT_KEYS / JWT_KEYS_FILE.
import { generateKeySetJson, SIGNING_ALGS, type SigningAlg } from './tokens/key-set.js'

const USAGE = 'usage: rotor keys generate [--alg EdDSA|ES256]'

async function main (argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv
  if (group === 'keys' && command === 'generate') {
    const i = rest.indexOf('--alg')
    const alg = (i >= 0 ? rest[i + 1] : 'EdDSA') as SigningAlg
    if (!SIGNING_ALGS.includes(alg)) { console.error(`--alg must be one of ${SIGNING_ALGS.join(', ')}`); return 2 }
    process.stdout.write(await generateKeySetJson(alg))
    return 0
  }
  console.error(USAGE)
  return 2
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => { console.error(err); process.exitCode = 1 })
