// Security events, one place: each is a structured log line with user id, family id and source IP (never a
// password or token; pino JSON-escapes every string, so untrusted text cannot forge log lines, ASVS 7.3.1), and
// listeners (the metrics plugin) see the same events.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'

export type AuditEvent =
  | { event: 'user_registered', userId: string }
  | { event: 'login_succeeded', userId: string, familyId: string }
  /** account: keyed hash of the canonical email (never the email); userId too when the account exists and was read. */
  | { event: 'login_failed', reason: 'bad_credentials' | 'disabled' | 'throttled', account: string, userId?: string }
  /** recovered: the rotation a failover lost, accepted (a warning: the store lost an acknowledged write). */
  | { event: 'refresh_succeeded', userId: string, familyId: string, replayed: boolean, recovered: boolean }
  | { event: 'refresh_failed', reason: string }
  | { event: 'refresh_reuse_detected' | 'refresh_rollback_detected', userId: string, familyId: string }
  | { event: 'logout', userId: string, familyId: string }
  | { event: 'logout_all', userId: string }
  | { event: 'session_deleted', userId: string, familyId: string }
  | { event: 'password_changed', userId: string, familyId: string }
  | { event: 'rate_limited', limit: string, account?: string }
  | { event: 'admin_action', action: string, actorId: string, userId: string }

/** Events that deserve an operator's attention. */
const WARN = new Set(['rate_limited', 'refresh_reuse_detected', 'refresh_rollback_detected'])

type Listener = (event: AuditEvent) => void

declare module 'fastify' {
  interface FastifyInstance {
    audit: {
      (request: FastifyRequest, event: AuditEvent): void
      /** Subscribe to every event (metrics). */
      on (listener: Listener): void
    }
  }
}

export default fp(async (app) => {
  const listeners: Listener[] = []
  const audit = (request: FastifyRequest, event: AuditEvent): void => {
    const warn = WARN.has(event.event) || (event.event === 'refresh_succeeded' && event.recovered)
    request.log[warn ? 'warn' : 'info']({ ...event, ip: request.ip }, 'security event')
    for (const listener of listeners) listener(event)
  }
  audit.on = (listener: Listener) => { listeners.push(listener) }
  app.decorate('audit', audit)
}, { name: 'audit' })
