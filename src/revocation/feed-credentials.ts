// The feed credential check: `Authorization: Bearer <credential>` against every configured credential (several, so
// one can be rotated in before the old one is removed). Each comparison is constant-time over equal-length SHA-256
// digests (crypto.timingSafeEqual), and every configured credential is compared, so neither timing nor which one
// matched leaks what was configured (ASVS 2.9 / 6.2 style). Nothing here logs or returns the credential.
import { createHash, timingSafeEqual } from 'node:crypto'

export type FeedAuth = 'ok' | 'missing' | 'invalid'

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest()

export function createCredentialCheck (credentials: string[], open: boolean): (authorization: string | undefined) => FeedAuth {
  const digests = credentials.map(digest)
  return (authorization) => {
    if (open) return 'ok'
    if (authorization === undefined || authorization === '') return 'missing'
    const match = /^Bearer ([\x21-\x7e]{1,1024})$/i.exec(authorization)
    if (match === null) return 'invalid'
    const presented = digest(match[1]!)
    let ok = false
    for (const d of digests) ok = timingSafeEqual(d, presented) || ok
    return ok ? 'ok' : 'invalid'
  }
}
