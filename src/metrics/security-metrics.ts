// Security counters: logins, refreshes, registrations and rate-limit hits from the audit channel (every security
// event passes through it), revocations from the revoker, access-token rejections from the bearer authenticator.
// Label values come from closed sets in code, never a user id, family id, email, IP or token: those would put
// personal data into the metrics store and make the number of series unbounded.
import { Counter, type Registry } from 'prom-client'
import type { AuditEvent } from '../plugins/audit.js'
import type { RevocationEvent } from '../revocation/revocation-list.js'
import type { VerifyFailure } from '../tokens/access-token.js'

/** Why `authenticate` refused a bearer token: the verifier's reasons, the revocation list, or the strict store check. */
export type TokenRejection = VerifyFailure | 'revoked' | 'strict_check'

const LOGIN_OUTCOMES = ['succeeded', 'bad_credentials', 'disabled', 'throttled']
const TOKEN_REJECTIONS: TokenRejection[] = ['malformed', 'expired', 'bad_signature', 'bad_claims', 'unknown_key', 'revoked', 'strict_check']
/** The store's rotation failures, by the label they get. */
const REFRESH_FAILURES: Record<string, string> = {
  malformed: 'malformed',
  bad_mac: 'bad_mac',
  missing: 'missing',
  revoked: 'revoked',
  expired: 'expired',
  version: 'version_mismatch',
  mismatch: 'mismatch',
  reuse: 'reuse_detected',
  rollback: 'rollback_detected'
}
const REFRESH_OUTCOMES = ['rotated', 'grace_replay', 'lost_rotation_recovered', ...Object.values(REFRESH_FAILURES)]

export interface SecurityMetrics {
  onAuditEvent (event: AuditEvent): void
  /** A revocation this instance made (the revoker's listener). */
  onRevoked (event: RevocationEvent): void
  accessTokenRejected (reason: TokenRejection): void
}

export function createSecurityMetrics (registry: Registry): SecurityMetrics {
  const registers = [registry]
  const registrations = new Counter({ name: 'rotor_registrations_total', help: 'Accounts created', registers })
  const logins = new Counter({ name: 'rotor_logins_total', help: 'Login attempts by outcome', labelNames: ['outcome'], registers })
  const refreshes = new Counter({ name: 'rotor_refreshes_total', help: 'Refresh-token presentations by outcome', labelNames: ['outcome'], registers })
  const revocations = new Counter({
    name: 'rotor_revocations_total',
    help: 'Revocations made and broadcast by this instance, by reason; scope is family (one session) or user (every session)',
    labelNames: ['reason', 'scope'],
    registers
  })
  const rateLimited = new Counter({ name: 'rotor_rate_limited_total', help: 'Requests refused by a rate limit, by limit', labelNames: ['limit'], registers })
  const rejections = new Counter({
    name: 'rotor_access_token_rejections_total', help: 'Bearer tokens refused, by reason', labelNames: ['reason'], registers
  })
  // Known outcomes start at 0, so rate() and alerts see each series before its first event.
  for (const outcome of LOGIN_OUTCOMES) logins.inc({ outcome }, 0)
  for (const outcome of REFRESH_OUTCOMES) refreshes.inc({ outcome }, 0)
  for (const reason of TOKEN_REJECTIONS) rejections.inc({ reason }, 0)

  return {
    onAuditEvent (event) {
      switch (event.event) {
        case 'user_registered': registrations.inc(); break
        case 'login_succeeded': logins.inc({ outcome: 'succeeded' }); break
        case 'login_failed': logins.inc({ outcome: event.reason }); break
        case 'refresh_succeeded': refreshes.inc({ outcome: event.recovered ? 'lost_rotation_recovered' : event.replayed ? 'grace_replay' : 'rotated' }); break
        case 'refresh_reuse_detected': refreshes.inc({ outcome: 'reuse_detected' }); break
        case 'refresh_rollback_detected': refreshes.inc({ outcome: 'rollback_detected' }); break
        case 'refresh_failed': refreshes.inc({ outcome: REFRESH_FAILURES[event.reason] ?? 'other' }); break
        case 'rate_limited': rateLimited.inc({ limit: event.limit }); break // limit names are a fixed set in code
      }
    },
    onRevoked (event) { revocations.inc({ reason: event.reason, scope: event.kind }) },
    accessTokenRejected (reason) { rejections.inc({ reason }) }
  }
}
