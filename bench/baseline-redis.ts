// Raw EVALSHA baseline for refresh rotation: the rotate-refresh-token script straight from one Node process, with
// valid precomputed arguments, on families the app never sees. Every call really rotates: step d presents
// generation d with the hash of the secret step d-1 installed, and installs a new one, so no call is a cheap
// rejection. What it leaves out is exactly what the app adds: HTTP, token parsing and MAC, the user read and the
// new access token's signature.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { createKeyNames } from '../src/key-names.js'
import { hashSecret } from '../src/sessions/refresh-token.js'
import { scriptSource } from '../src/sessions/scripts.js'
import { values } from './requests.js'
import type { Rate } from './types.js'

export interface EvalshaInput {
  redisUrl: string
  keyPrefix: string
  /** Lines of `userId familyId hashOfGeneration1Secret` (the hash in base64url). */
  familiesFile: string
  idleMs: number
  graceMs: number
  maxReplays: number
  seconds: number
  concurrency: number
  /** Rotations to precompute in all (spread over the families). */
  maxCalls: number
}

interface Chain { userId: string, familyId: string, firstHash: Buffer, next: Buffer[] }

export async function rawEvalshaRate (input: EvalshaInput): Promise<Rate & { failures: number, concurrency: number }> {
  const keys = createKeyNames(input.keyPrefix)
  const families = values(input.familiesFile).map((line) => line.split(' ') as [string, string, string])
  const depth = Math.max(1, Math.min(200, Math.ceil(input.maxCalls / families.length)))
  const chains: Chain[] = families.map(([userId, familyId, firstHash]) => ({
    userId,
    familyId,
    firstHash: Buffer.from(firstHash, 'base64url'),
    next: Array.from({ length: depth }, () => hashSecret(randomBytes(32).toString('base64url')))
  }))
  const redis = new Redis(input.redisUrl, { enableAutoPipelining: true })
  try {
    const sha = await redis.script('LOAD', scriptSource('rotate-refresh-token')) as string
    let nextChain = 0
    let calls = 0
    let failures = 0
    const start = performance.now()
    const end = start + input.seconds * 1000
    const worker = async () => {
      while (nextChain < chains.length && performance.now() < end) {
        const chain = chains[nextChain++]!
        const userKey = keys.user(chain.userId)
        let presentedHash = chain.firstHash
        for (let d = 0; d < chain.next.length && performance.now() < end; d++) {
          const hash = chain.next[d]!
          // The look-ahead (the hash of the generation after the new one), as the store sends it.
          const lookAhead = chain.next[d + 1] ?? hash
          const reply = await redis.evalsha(sha, 1, userKey, chain.familyId, d + 1, presentedHash, hash, '', input.idleMs,
            input.graceMs, input.maxReplays, lookAhead) as unknown[]
          calls++
          if (reply[0] !== 'rotated') { failures++; break }
          presentedHash = hash
        }
      }
    }
    await Promise.all(Array.from({ length: input.concurrency }, worker))
    const seconds = (performance.now() - start) / 1000
    return { perSecond: (calls - failures) / seconds, operations: calls - failures, seconds, failures, concurrency: input.concurrency }
  } finally {
    redis.disconnect()
  }
}
