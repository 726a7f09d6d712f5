// What a session write answered 503 still did on the primary (durable mode: the script ran, its WAIT found too few
// replicas, NotReplicatedError), and how each caller records it, so that a 503 never costs the client its session and
// never leaves a revoked session's access tokens alive (docs/design.md, "A hand-out answered 503 is not a delivery").
// Each record is best effort and waits for no replica: if even that fails the store is down, and the 503 stands.
import { NotReplicatedError } from '../redis-errors.js'
import { runScript, type RedisClient } from './scripts.js'

type Reply = Array<string | number | null>

/** The script's reply a NotReplicatedError carries, when `err` is one (else undefined). */
function written (err: unknown): unknown {
  return err instanceof NotReplicatedError ? err.reply : undefined
}

export function unreplicatedWrites (deps: { redis: RedisClient, userKey: (userId: string) => string, now: () => number | string, idleMs: number }) {
  const { redis, userKey, now, idleMs } = deps
  const bestEffort = (run: Promise<unknown>) => run.catch(() => undefined)
  return {
    /** A login answered 503: delete the family nobody received (forget-family.lua), then rethrow. */
    async login (err: unknown, userId: string, familyId: string, secretHash: Buffer): Promise<never> {
      const reply = written(err)
      if (Array.isArray(reply) && reply[0] === 'ok') await bestEffort(runScript(redis, 'forget-family', [userKey(userId)], [familyId, secretHash]))
      throw err
    },
    /**
     * A rotation answered 503. A successor handed out ('rotated', 'grace', 'recovered') was not delivered: mark-undelivered.lua
     * restarts its grace window once no hand-out of it was; rethrown. A revocation by reuse or rollback detection
     * stands on the primary: its reply is returned, so the caller announces and confirms it (503 while the replicas
     * still do not acknowledge).
     */
    async rotation (err: unknown, userId: string, familyId: string, successor: { generation: number, hash: Buffer }): Promise<Reply> {
      const reply = written(err)
      const status = Array.isArray(reply) ? reply[0] : undefined
      if (status === 'reuse' || status === 'rollback') return reply as Reply
      if (status === 'rotated' || status === 'grace' || status === 'recovered') {
        await bestEffort(runScript(redis, 'mark-undelivered', [userKey(userId)], [familyId, successor.generation, successor.hash, now(), idleMs]))
      }
      throw err
    },
    /** A revocation answered 503 that revoked a live family: tagged, for the revoker to announce it all the same. */
    revocation (err: unknown, userId: string, familyId: string): never {
      if (err instanceof NotReplicatedError && Number(written(err)) === 1) err.revoked = { userId, familyId }
      throw err
    }
  }
}
