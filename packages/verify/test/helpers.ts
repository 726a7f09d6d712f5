// Package test helpers: Rotor's own key-set and signing library code (what `npm run keys:generate` uses) makes the
// keys and tokens, so the package is tested against exactly what Rotor issues.
import { generateKeySetJson, loadKeySet, type KeySet } from '../../../src/tokens/key-set.js'
import { createAccessTokens, type AccessTokenSubject } from '../../../src/tokens/access-token.js'

export const ISSUER = 'https://auth.example.com'
export const AUDIENCE = 'https://api.example.com'
export const TTL = 900
export const LEEWAY = 10

export async function rotorKeys (alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<KeySet> {
  return loadKeySet(await generateKeySetJson(alg), alg)
}

export function signer (keySet: KeySet) {
  const tokens = createAccessTokens({
    keySet, issuer: ISSUER, audience: AUDIENCE, clientId: 'web', ttlSeconds: TTL, clockToleranceSeconds: LEEWAY, nowMs: Date.now
  })
  return async (subject: Partial<AccessTokenSubject> = {}): Promise<string> =>
    (await tokens.sign({ userId: 'u1', roles: [], sessionId: 's1', sessionVersion: 0, ...subject })).token
}

/** Poll until `check` holds: readiness and propagation are awaited against a generous deadline, never a sleep. */
export async function eventually (what: string, check: () => boolean, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${deadlineMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
