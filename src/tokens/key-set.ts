// Signing keys: a private JWK set from configuration, imported once into KeyObjects (no per-request parsing).
// The key named by JWT_SIGNING_KID signs, else the first key whose alg is JWT_ALG; every key in the set verifies and
// is published. Naming the signing key lets a new key be published before it signs: verifiers cache the JWKS
// (max-age 300 s), and a token signed with a key they have not fetched yet would fail for them (README, key rotation;
// RFC 7517, RFC 8725 §3.1).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'

export type SigningAlg = 'EdDSA' | 'ES256'
export const SIGNING_ALGS: readonly SigningAlg[] = ['EdDSA', 'ES256']

export interface PublicJwk { kty: string, crv: string, x: string, y?: string, kid: string, alg: SigningAlg, use: 'sig' }

export interface VerificationKey { kid: string, alg: SigningAlg, publicKey: KeyObject }

export interface KeySet {
  signing: { kid: string, alg: SigningAlg, privateKey: KeyObject }
  /** Verification keys by kid: an exact map lookup, never a path or a URL. */
  byKid: ReadonlyMap<string, VerificationKey>
  /** The public JWKS document (RFC 7517 §5): public members only. */
  jwks: { keys: PublicJwk[] }
}

export class KeySetError extends Error {
  override name = 'KeySetError'
}

const CURVE: Record<SigningAlg, { kty: string, crv: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' }
}

/** Parse and import a private JWK set (JSON text). Throws KeySetError with a reason that never echoes key material. */
export function loadKeySet (json: string, signingAlg: SigningAlg, signingKid?: string): KeySet {
  let doc: unknown
  try { doc = JSON.parse(json) } catch { throw new KeySetError('is not valid JSON') }
  const keys = (doc as { keys?: unknown })?.keys
  if (!Array.isArray(keys) || keys.length === 0) throw new KeySetError('must be a JWK set: {"keys":[...]} with at least one key')
  const byKid = new Map<string, VerificationKey>()
  const publicJwks: PublicJwk[] = []
  let signing: KeySet['signing'] | undefined
  for (const [i, raw] of keys.entries()) {
    const jwk = raw as JWK
    const alg = jwk.alg as SigningAlg
    if (!SIGNING_ALGS.includes(alg)) throw new KeySetError(`key ${i}: alg must be one of ${SIGNING_ALGS.join(', ')}`)
    if (jwk.kty !== CURVE[alg].kty || jwk.crv !== CURVE[alg].crv) throw new KeySetError(`key ${i}: ${alg} needs kty ${CURVE[alg].kty} and crv ${CURVE[alg].crv}`)
    if (typeof jwk.kid !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(jwk.kid)) throw new KeySetError(`key ${i}: kid must be 1-128 characters of [A-Za-z0-9_-]`)
    if (byKid.has(jwk.kid)) throw new KeySetError(`key ${i}: kid ${jwk.kid} is used twice`)
    if (typeof jwk.d !== 'string') throw new KeySetError(`key ${i}: a private key (with "d") is required`)
    let privateKey: KeyObject
    try {
      privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' })
    } catch {
      throw new KeySetError(`key ${i}: cannot be imported`)
    }
    const publicKey = createPublicKey(privateKey)
    byKid.set(jwk.kid, { kid: jwk.kid, alg, publicKey })
    const pub = publicKey.export({ format: 'jwk' }) as { kty: string, crv: string, x: string, y?: string }
    publicJwks.push({ kty: pub.kty, crv: pub.crv, x: pub.x, ...(pub.y !== undefined ? { y: pub.y } : {}), kid: jwk.kid, alg, use: 'sig' })
    const chosen = signingKid === undefined ? signing === undefined : jwk.kid === signingKid
    if (chosen && alg === signingAlg) signing = { kid: jwk.kid, alg, privateKey }
    else if (chosen && signingKid !== undefined) throw new KeySetError(`key ${jwk.kid} (JWT_SIGNING_KID) has alg ${alg}, not ${signingAlg} (JWT_ALG)`)
  }
  if (signing === undefined) {
    throw new KeySetError(signingKid === undefined ? `has no key with alg ${signingAlg} (JWT_ALG)` : `has no key with kid ${signingKid} (JWT_SIGNING_KID)`)
  }
  return { signing, byKid, jwks: { keys: publicJwks } }
}

/** A new private JWK set with one key; kid is the RFC 7638 thumbprint. */
export async function generateKeySetJson (alg: SigningAlg): Promise<string> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(jwk)
  return JSON.stringify({ keys: [{ ...jwk, kid, alg }] }, null, 2) + '\n'
}
