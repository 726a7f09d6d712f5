// What every measuring child of `npm run bench:instructions` reads: an issuer, a fresh EdDSA key set and `requests`
// + 1 access tokens signed with it (the first one is the warm-up's), written into `dir`.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createAccessTokens } from '../../src/tokens/access-token.js'
import { generateKeySetJson, loadKeySet } from '../../src/tokens/key-set.js'

export async function writeSetup (dir: string, requests: number): Promise<void> {
  const setup = { issuer: 'https://auth.example.com', audience: 'https://api.example.com', ttlSeconds: 900 }
  const keysJson = await generateKeySetJson('EdDSA')
  const signer = createAccessTokens({
    keySet: loadKeySet(keysJson, 'EdDSA'), ...setup, clientId: 'web', clockToleranceSeconds: 10, nowMs: Date.now
  })
  const tokens: string[] = []
  for (let i = 0; i <= requests; i++) {
    tokens.push((await signer.sign({ userId: `user-${i}`, roles: [], sessionId: `session-${i}`, sessionVersion: 0 })).token)
  }
  writeFileSync(join(dir, 'setup.json'), JSON.stringify(setup))
  writeFileSync(join(dir, 'keys.json'), keysJson)
  writeFileSync(join(dir, 'tokens.txt'), tokens.join('\n'))
}
