// The free verifier of scenario 7 and of `npm run bench:instructions`: a token's signature checked with node:crypto
// under the key its kid names, and nothing else (no claims, no cache, no revocation): what verifying costs at least.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto'

export function signatureHolds (token: string, keys: ReadonlyMap<string, KeyObject>): boolean {
  const [header = '', payload = '', signature = ''] = token.split('.')
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string, alg: string }
  const key = keys.get(kid)
  const data = Buffer.from(`${header}.${payload}`, 'latin1')
  return key !== undefined && (alg === 'EdDSA'
    ? cryptoVerify(null, data, key, Buffer.from(signature, 'base64url'))
    : cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url')))
}
