// The operator CLI prints a private JWK set for JWT_KEYS; it must load with the matching JWT_ALG, and a mistyped
// algorithm must fail loudly (exit 2, usage error) rather than print a key set the server would refuse.
import t from 'tap'
import { loadKeySet } from '../src/tokens/key-set.js'
import { runCli } from './cli-process.js'

const cli = (...args: string[]) => runCli(args)

t.test('keys generate prints an EdDSA key set that loads as the signing set', async (t) => {
  const run = await cli('keys', 'generate')
  t.equal(run.code, 0, run.stderr)
  const keySet = loadKeySet(run.stdout, 'EdDSA')
  t.equal(keySet.signing.alg, 'EdDSA')
  t.equal(keySet.jwks.keys[0]?.crv, 'Ed25519')
  // The published JWKS is derived from it and carries no private member.
  t.notOk('d' in (keySet.jwks.keys[0] ?? {}))
})

t.test('keys generate --alg ES256 prints a P-256 key set that loads for ES256', async (t) => {
  const run = await cli('keys', 'generate', '--alg', 'ES256')
  t.equal(run.code, 0, run.stderr)
  const keySet = loadKeySet(run.stdout, 'ES256')
  t.equal(keySet.signing.alg, 'ES256')
  t.equal(keySet.jwks.keys[0]?.crv, 'P-256')
  t.throws(() => loadKeySet(run.stdout, 'EdDSA'), /no key with alg EdDSA/, 'not usable under a different JWT_ALG')
})

t.test('rejects an unsupported algorithm with exit code 2 and prints no key', async (t) => {
  const run = await cli('keys', 'generate', '--alg', 'HS256')
  t.equal(run.code, 2)
  t.equal(run.stdout, '')
  t.match(run.stderr, /--alg must be one of EdDSA, ES256/)
})

t.test('prints usage with exit code 2 for an unknown command', async (t) => {
  const run = await cli('keys', 'rotate')
  t.equal(run.code, 2)
  t.match(run.stderr, /usage: rotor keys generate/)
})
