// Signing access tokens with node:crypto directly: the protected header is encoded once per key, and each token is
// one synchronous sign on a pre-imported KeyObject. jose's SignJWT went through WebCrypto's promise and job queue,
// which cost a refresh more than the signature itself (docs/benchmarks.md). Output is a compact JWS (RFC 7515 §7.1)
// with the same header and claims as before; test/access-token-signer.test.ts checks jose verifies it.
import { sign as cryptoSign } from 'node:crypto'
import type { KeySet } from './key-set.js'

export type AccessTokenSigner = (claims: Record<string, unknown>) => string

export function createAccessTokenSigner (signing: KeySet['signing'], typ: string): AccessTokenSigner {
  const { alg, kid, privateKey } = signing
  // Member order matters to nobody but the verifier's fast path, which recognises exactly this header segment.
  const header = Buffer.from(JSON.stringify({ alg, kid, typ })).toString('base64url')
  return (claims) => {
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
    // RFC 8037 §3.1: Ed25519 signs the input itself; RFC 7518 §3.4: ES256 is SHA-256 with r||s, not DER.
    const signature = alg === 'EdDSA'
      ? cryptoSign(null, Buffer.from(input), privateKey)
      : cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    return `${input}.${signature.toString('base64url')}`
  }
}
