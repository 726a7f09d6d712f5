// Refresh-token families in Redis: typed wrappers around one Lua script per atomic operation.
// No Fastify here. Every window is decided on Redis's clock (store-clock.lua); tests inject `storeClock` instead so
// idle and absolute expiry are testable without sleeping.
import type { KeyNames } from '../key-names.js'
import { hashSecret, randomId, randomSecret, type RefreshTokenCodec } from './refresh-token.js'
import { NO_DURABILITY, type DurabilityPolicy, type WritePurpose } from '../redis-durability.js'
import { defineScripts, nowOverride, runScriptDurably, type RedisClient, type ScriptName } from './scripts.js'
import { NotReplicatedError } from '../redis-errors.js'
import { encodeSessionMetadata } from './session-metadata.js'
import { createSessionReads } from './session-reads.js'
import { unreplicatedWrites } from './unreplicated-writes.js'

export interface SessionPolicy {
  idleTtlSeconds: number
  absoluteTtlSeconds: number
  reuseGraceSeconds: number
  graceMaxReplays: number
  /**
   * Families (live sessions and not yet expired tombstones) per user; a login beyond it deletes the least recently
   * used ones, tombstones first (1 = one session per user). 0 = unlimited (every operation stays bounded anyway).
   */
  maxSessionsPerUser: number
}

export interface IssuedRefresh {
  token: string
  userId: string
  familyId: string
  sessionVersion: number
  absoluteExpiryMs: number
  /** The store's clock when it issued this (absoluteExpiryMs is on the same clock). */
  issuedAtMs: number
  /** true when this answers a retry inside the grace window with the successor already handed out. */
  replayed: boolean
  /**
   * true when the presented token was the generation after the store's, with the secret the store had derived for it:
   * a rotation a failover lost, accepted (docs/design.md, "Residual risk").
   */
  recovered: boolean
}

/** A rotation also answers the user's roles, read by the same script, for the new access token. */
export type RotatedRefresh = IssuedRefresh & { subject: { roles: string[] } }

export type CreateResult = { ok: true, issued: IssuedRefresh, evicted: string[] } | { ok: false, reason: 'no_user' | 'disabled' }

export type RotateFailure = 'malformed' | 'bad_mac' | 'missing' | 'revoked' | 'expired' | 'version' | 'reuse' | 'rollback' | 'mismatch'
export type RotateResult = { ok: true, issued: RotatedRefresh } | { ok: false, reason: RotateFailure, userId?: string, familyId?: string }

export interface SessionInfo {
  id: string
  createdAtMs: number
  lastUsedAtMs: number
  expiresAtMs: number
  userAgent: string
  ip: string
}

export interface SessionStore {
  /**
   * Start a family (login), atomic with the read of the user's session version and state and, under a session limit,
   * with the eviction of the least recently used families (returned, so their access tokens can be revoked too).
   */
  createFamily (input: { userId: string, userAgent: string, ip: string }): Promise<CreateResult>
  /** Rotate, replay within grace, or detect reuse (which revokes the family): one script, atomic. */
  rotate (tokenText: string): Promise<RotateResult>
  /** Revoke one family; idempotent. Returns whether a live family was revoked. */
  revokeFamily (userId: string, familyId: string, reason: string): Promise<boolean>
  /**
   * Revoke the family a refresh token names (logout). 'malformed' for a token of the wrong shape; a well-formed token
   * that is forged, expired or already revoked is 'unknown' (RFC 7009 §2.2: nothing left to revoke).
   */
  revokeByToken (tokenText: string, reason: string): Promise<'malformed' | 'unknown' | { userId: string, familyId: string }>
  /** Bump the user's session version and revoke every family. Returns the new version. */
  revokeAllForUser (userId: string, reason: string): Promise<number>
  /**
   * POST /auth/logout-all: the caller's strict check and the bump in one step; a caller whose token a standing
   * logout-all already made old gets that one confirmed (replicated) instead of a second bump (revoke-all-for-user.lua).
   */
  logoutAll (caller: LogoutAllCaller, reason: string): Promise<LogoutAllResult>
  /** Strict check (one Redis read): whether the session behind an access token is live right now. */
  checkSession (userId: string, familyId: string, sessionVersion: number): Promise<'ok' | 'no_user' | 'disabled' | 'version' | 'missing' | 'revoked'>
  /**
   * The user's live families, most recently used first: all of them for an account within MAX_SESSIONS_PER_USER;
   * for one over it (the limit was lowered) a bounded random sample, until logins prune it back.
   */
  listSessions (userId: string): Promise<SessionInfo[]>
  /** Wait for a replica to hold a revocation a script made on its own (reuse, rollback); NOREPLICAS (503) otherwise. */
  confirmRevoked (userId: string): Promise<void>
}

type RevokeAllDeps = { redis: RedisClient, keys: KeyNames, storeClock?: () => number, idleMs: number, durability?: DurabilityPolicy }

/** A logout-all asked for by an access token: its session, and the session version it was issued at. */
export interface LogoutAllCaller { userId: string, sessionId: string, sessionVersion: number }

/** 'already': the caller's token is older than a logout-all that stands; it is now confirmed, nothing else changed. */
export type LogoutAllResult = { ok: true, minVersion: number, already: boolean } | { ok: false, reason: 'no_user' | 'disabled' | 'missing' | 'revoked' }

async function runRevokeAll (deps: RevokeAllDeps, userId: string, reason: string, caller?: LogoutAllCaller) {
  const { redis, keys } = deps
  defineScripts(redis)
  const key = keys.user(userId)
  const callerArgs = caller === undefined ? ['', ''] : [caller.sessionVersion, caller.sessionId]
  return runScriptDurably(redis, 'revoke-all-for-user', [key], [reason, nowOverride(deps.storeClock), deps.idleMs, ...callerArgs],
    await (deps.durability ?? NO_DURABILITY).forWrite('revoke', key))
    .catch((err: unknown) => {
      // The bump (or the confirming write) stands on the primary: tagged, for the revoker to announce it all the same.
      const written = err instanceof NotReplicatedError && Array.isArray(err.reply) ? err.reply : undefined
      if (written !== undefined && (written[0] === 'ok' || written[0] === 'already')) (err as NotReplicatedError).floor = { userId, minVersion: Number(written[1]) }
      throw err
    })
}

/** Bump the user's session version and revoke every family; returns the new version. Also used by the CLI. */
export async function revokeAllSessions (deps: RevokeAllDeps, userId: string, reason: string): Promise<number> {
  const reply = await runRevokeAll(deps, userId, reason)
  // No user record (purged, or lost in a failover without replicas): no session of it can be live, so every token
  // of that id is dead: announced as a floor no version reaches, and logout-all still succeeds (it is idempotent).
  return reply[0] === 'ok' ? Number(reply[1]) : Number.MAX_SAFE_INTEGER
}

/**
 * `durability` (src/redis-durability.ts): revocations wait for a replica whenever one exists; with REDIS_WAIT_REPLICAS
 * every write that hands out or takes away a token waits for that many replicas, and throws NOREPLICAS (503) when
 * they do not acknowledge, so a failover cannot undo a rotation or a logout the client was told about.
 */
export function createSessionStore (deps: {
  redis: RedisClient, keys: KeyNames, codec: RefreshTokenCodec, policy: SessionPolicy, durability?: DurabilityPolicy
  /** Tests only: replaces Redis's clock in the scripts. */
  storeClock?: () => number
}): SessionStore {
  const { redis, keys, codec, policy, storeClock } = deps
  const now = () => nowOverride(storeClock)
  const durability = deps.durability ?? NO_DURABILITY
  defineScripts(redis)
  // A new family also clears the account's failed-login count (create-family.lua): same slot, same step.
  const scriptKeys = (name: ScriptName, userId: string) => name === 'create-family' ? [keys.user(userId), keys.loginFailures(userId)] : [keys.user(userId)]
  const run = async (name: ScriptName, userId: string, args: Array<string | number | Buffer>, purpose: WritePurpose = 'issue') =>
    runScriptDurably(redis, name, scriptKeys(name, userId), args, await durability.forWrite(purpose, keys.user(userId)))
  const idleMs = policy.idleTtlSeconds * 1000
  const absoluteMs = policy.absoluteTtlSeconds * 1000
  const unreplicated = unreplicatedWrites({ redis, userKey: keys.user, now, idleMs })

  return {
    async createFamily ({ userId, userAgent, ip }) {
      const familyId = randomId()
      const secret = randomSecret()
      // The look-ahead: generation 2's secret hash, so a first rotation a failover loses is still recognised.
      const next = codec.deriveSecret({ userId, familyId, generation: 1, secret })
      const reply = await run('create-family', userId,
        [familyId, hashSecret(secret), now(), idleMs, absoluteMs, encodeSessionMetadata(ip, userAgent), policy.maxSessionsPerUser,
          hashSecret(next)])
        .catch((err: unknown) => unreplicated.login(err, userId, familyId, hashSecret(secret)))
      const status = String(reply[0])
      if (status !== 'ok') return { ok: false, reason: status as 'no_user' | 'disabled' }
      const token = codec.format({ userId, familyId, generation: 1, secret })
      return {
        ok: true,
        issued: {
          token, userId, familyId, sessionVersion: Number(reply[1]), absoluteExpiryMs: Number(reply[2]), issuedAtMs: Number(reply[3]), replayed: false,
          recovered: false
        },
        evicted: reply.slice(4).map(String)
      }
    },

    async rotate (tokenText) {
      const parsed = codec.parse(tokenText)
      if (!parsed.ok) return { ok: false, reason: parsed.reason }
      const presented = parsed.token
      const { userId, familyId } = presented
      // The successor is a function of the presented token: a retry inside the grace window gets the same token.
      // Its own successor's hash is the look-ahead the store keeps, to recognise a rotation a failover loses.
      const successor = codec.deriveSecret(presented)
      const lookAhead = codec.deriveSecret({ ...presented, generation: presented.generation + 1, secret: successor })
      const reply = await run('rotate-refresh-token', userId,
        [familyId, presented.generation, hashSecret(presented.secret), hashSecret(successor), now(), idleMs,
          policy.reuseGraceSeconds * 1000, policy.graceMaxReplays, hashSecret(lookAhead)])
        .catch((err: unknown) => unreplicated.rotation(err, userId, familyId, { generation: presented.generation + 1, hash: hashSecret(successor) }))
      const status = String(reply[0])
      if (status !== 'rotated' && status !== 'grace' && status !== 'recovered') return { ok: false, reason: status as RotateFailure, userId, familyId }
      return {
        ok: true,
        issued: {
          token: codec.format({ userId, familyId, generation: presented.generation + 1, secret: successor }),
          userId,
          familyId,
          sessionVersion: Number(reply[2]),
          absoluteExpiryMs: Number(reply[3]),
          issuedAtMs: Number(reply[5]),
          replayed: status === 'grace',
          recovered: status === 'recovered',
          subject: { roles: reply[4] === '' || reply[4] == null ? [] : String(reply[4]).split(',') }
        }
      }
    },

    async revokeFamily (userId, familyId, reason) {
      const reply = await run('revoke-family', userId, [familyId, reason, now(), idleMs], 'revoke')
        .catch((err: unknown) => unreplicated.revocation(err, userId, familyId))
      return Number(reply) === 1
    },

    async revokeByToken (tokenText, reason) {
      const parsed = codec.parse(tokenText)
      if (!parsed.ok) return parsed.reason === 'malformed' ? 'malformed' : 'unknown'
      const { userId, familyId } = parsed.token
      return (await this.revokeFamily(userId, familyId, reason)) ? { userId, familyId } : 'unknown'
    },

    revokeAllForUser: (userId, reason) => revokeAllSessions({ redis, keys, storeClock, idleMs, durability }, userId, reason),

    async logoutAll (caller, reason) {
      const reply = await runRevokeAll({ redis, keys, storeClock, idleMs, durability }, caller.userId, reason, caller)
      const status = String(reply[0])
      if (status === 'ok' || status === 'already') return { ok: true, minVersion: Number(reply[1]), already: status === 'already' }
      return { ok: false, reason: (status === 'dead' ? String(reply[1]) : 'no_user') as 'no_user' | 'disabled' | 'missing' | 'revoked' }
    },

    confirmRevoked: (userId) => durability.confirmRevocation(keys.user(userId)),

    ...createSessionReads({ redis, keys, idleMs, storeClock, maxSessions: policy.maxSessionsPerUser })
  }
}
