// Raw signature baselines: what one core can verify with nothing but node:crypto, and how the JWT verifiers compare.
import { sign, verify, type KeyObject } from 'node:crypto'
import { createVerifier } from 'fast-jwt'
import { jwtVerify } from 'jose'
import { createAccessTokens } from '../src/tokens/access-token.js'
import { generateKeySetJson, loadKeySet, type SigningAlg } from '../src/tokens/key-set.js'
import { values } from './requests.js'
import { median } from './stats.js'
import type { Rate, VerifierRates } from './types.js'

const MAX_SAMPLE_TOKENS = 1000

/** A token split for crypto.verify: the signing input and the raw signature (RFC 7515 §5.2). */
function splitToken (token: string): { data: Buffer, signature: Buffer } {
  const [header, payload, signature] = token.split('.')
  return { data: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature!, 'base64url') }
}

/** crypto.verify for a JWS alg: Ed25519 takes no digest; ES256 signatures are r||s, not DER (RFC 7518 §3.4). */
function rawVerifier (alg: SigningAlg, publicKey: KeyObject): (part: { data: Buffer, signature: Buffer }) => boolean {
  if (alg === 'EdDSA') return ({ data, signature }) => verify(null, data, publicKey, signature)
  const key = { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
  return ({ data, signature }) => verify('sha256', data, key, signature)
}

/** Run `op` (sync or async) over the samples for `seconds`; operations per second. Every result must be truthy. */
async function measure (seconds: number, count: number, op: (i: number) => unknown): Promise<Rate> {
  const start = performance.now()
  const end = start + seconds * 1000
  let n = 0
  for (;;) {
    // Check the clock every 32 operations: reading it costs a noticeable share of a 100 µs operation.
    for (let k = 0; k < 32; k++, n++) {
      let ok = op(n % count)
      if (ok instanceof Promise) ok = await ok
      if (!ok) throw new Error('a baseline verification failed')
    }
    if (performance.now() >= end) break
  }
  const elapsed = (performance.now() - start) / 1000
  return { perSecond: n / elapsed, operations: n, seconds: elapsed }
}

/** crypto.verify of the app's own tokens with the app's key, single thread. */
export async function rawVerifyRate (input: { keysJson: string, alg: SigningAlg, tokensFile: string, seconds: number }): Promise<Rate> {
  const keySet = loadKeySet(input.keysJson, input.alg)
  const parts = values(input.tokensFile).slice(0, MAX_SAMPLE_TOKENS).map(splitToken)
  const check = rawVerifier(input.alg, keySet.byKid.get(keySet.signing.kid)!.publicKey)
  return measure(input.seconds, parts.length, (i) => check(parts[i]!))
}

/**
 * crypto.sign of the app's own tokens' signing inputs with the app's key, single thread: the signature a refresh
 * makes for its new access token, and nothing else (scenario 2's bound of its parts).
 */
export async function rawSignRate (input: { keysJson: string, alg: SigningAlg, tokensFile: string, seconds: number }): Promise<Rate> {
  const { privateKey } = loadKeySet(input.keysJson, input.alg).signing
  const inputs = values(input.tokensFile).slice(0, MAX_SAMPLE_TOKENS).map((token) => splitToken(token).data)
  const key = { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
  const one = input.alg === 'EdDSA' ? (data: Buffer) => sign(null, data, privateKey) : (data: Buffer) => sign('sha256', data, key)
  return measure(input.seconds, inputs.length, (i) => one(inputs[i]!).length > 0)
}

const ISSUER = 'https://bench.example'
const AUDIENCE = 'bench'

/** Verifiers side by side per alg; three interleaved rounds, median of each, so a noisy moment hits all alike. */
export async function compareVerifiers (input: { seconds: number }): Promise<Record<SigningAlg, VerifierRates>> {
  const out = {} as Record<SigningAlg, VerifierRates>
  for (const alg of ['EdDSA', 'ES256'] as const) {
    const keySet = loadKeySet(await generateKeySetJson(alg), alg)
    const publicKey = keySet.byKid.get(keySet.signing.kid)!.publicKey
    const options = { keySet, issuer: ISSUER, audience: AUDIENCE, clientId: 'bench', ttlSeconds: 900, clockToleranceSeconds: 10, nowMs: Date.now }
    const signer = createAccessTokens(options)
    const rotor = createAccessTokens({ ...options, cacheMaxEntries: 0 })
    const tokens: string[] = []
    for (let i = 0; i < 500; i++) {
      tokens.push((await signer.sign({ userId: `user-${i}`, roles: [], sessionId: `s-${i}`, sessionVersion: 0 })).token)
    }
    const parts = tokens.map(splitToken)
    const raw = rawVerifier(alg, publicKey)
    // fast-jwt caches verified tokens unless told not to; the comparison is of signature checks.
    const fast = createVerifier({ key: publicKey.export({ format: 'pem', type: 'spki' }) as string, algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE, cache: false })
    const verifiers: Record<keyof VerifierRates, (i: number) => unknown> = {
      joseJwtVerify: (i) => jwtVerify(tokens[i]!, publicKey, { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE }),
      fastJwt: (i) => fast(tokens[i]!),
      rawCryptoVerify: (i) => raw(parts[i]!),
      rotorVerifyNoCache: (i) => rotor.verify(tokens[i]!)
    }
    const rounds: Record<keyof VerifierRates, number[]> = { joseJwtVerify: [], fastJwt: [], rawCryptoVerify: [], rotorVerifyNoCache: [] }
    for (let round = 0; round < 3; round++) {
      for (const name of Object.keys(verifiers) as Array<keyof VerifierRates>) {
        rounds[name].push((await measure(input.seconds / 3, tokens.length, verifiers[name])).perSecond)
      }
    }
    out[alg] = {
      joseJwtVerify: median(rounds.joseJwtVerify),
      fastJwt: median(rounds.fastJwt),
      rawCryptoVerify: median(rounds.rawCryptoVerify),
      rotorVerifyNoCache: median(rounds.rotorVerifyNoCache)
    }
  }
  return out
}
