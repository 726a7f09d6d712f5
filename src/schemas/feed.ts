// The revocation feed for other services and the authorization server metadata (RFC 8414) that points to it.
import { Type } from '@sinclair/typebox'

const common = {
  userId: Type.String({ description: 'The user (the sub claim)' }),
  atMs: Type.Integer({ description: 'When the revocation was made, ms since the epoch (the revoking instance\'s clock)' }),
  reason: Type.String({ description: 'Why, e.g. logout, logout_all, session_deleted, reuse, password_changed, admin_disable' })
}

const EVENT_ID = '^[0-9]{1,16}-[0-9]{1,16}$'
const id = { id: Type.Optional(Type.String({ pattern: EVENT_ID, description: 'GET /revocations only: its position in the log (absent on snapshot entries; on the stream the id is the SSE id line)' })) }

const eventKinds = [
  Type.Object({
    ...id,
    kind: Type.Literal('user'),
    userId: common.userId,
    minVersion: Type.Integer({ description: 'Every access token of this user with sv below it is revoked' }),
    atMs: common.atMs,
    reason: common.reason
  }, { additionalProperties: false }),
  Type.Object({
    ...id,
    kind: Type.Literal('session'),
    userId: common.userId,
    sessionId: Type.String({ description: 'The session (the sid claim): its access tokens are revoked' }),
    atMs: common.atMs,
    reason: common.reason
  }, { additionalProperties: false })
]

/** The data of an SSE `revocation` event and of each snapshot entry; in GET /revocations, log events carry their id. */
export const RevocationEventWire = Type.Union(eventKinds, { $id: 'RevocationEvent', description: 'One revocation: no email, no token' })

export const RevocationPageQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 2000, description: 'The `next` of the previous page; absent: start with a snapshot' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'Entries per page, 1 to 1000 (default 500)' }))
}, { additionalProperties: false })

export const RevocationPage = Type.Object({
  events: Type.Array(Type.Ref(RevocationEventWire), {
    description: 'Log events (each with its id) or, when snapshot is true, entries still in force (without id)'
  }),
  next: Type.String({ description: 'Pass as `after` on the next call: an event id, or an opaque cursor while a snapshot is paged' }),
  snapshot: Type.Boolean({ description: 'true: events is (a page of) a snapshot of every revocation in force; merge it, it only adds revocations' }),
  more: Type.Boolean({ description: 'true: another page follows at once (call again with next without waiting)' })
}, { $id: 'RevocationPage', additionalProperties: false })

export const StreamQuery = Type.Object({
  lastEventId: Type.Optional(Type.String({ maxLength: 200, description: 'Same as the Last-Event-ID header, for EventSource polyfills that cannot send it' }))
}, { additionalProperties: false })

export const AuthorizationServerMetadata = Type.Object({
  issuer: Type.String(),
  jwks_uri: Type.String(),
  token_endpoint: Type.String(),
  grant_types_supported: Type.Array(Type.String()),
  token_endpoint_auth_methods_supported: Type.Array(Type.String()),
  response_types_supported: Type.Array(Type.String(), { description: 'Empty: Rotor has no authorization endpoint (first-party login only)' }),
  rotor_access_token_signing_alg_values_supported: Type.Array(Type.String(), { description: 'The algorithms of the published keys' }),
  rotor_access_token_typ: Type.Literal('at+jwt'),
  rotor_audience: Type.String(),
  rotor_access_token_max_lifetime_seconds: Type.Integer({ description: 'exp - iat of any access token is at most this' }),
  rotor_revocation_stream_endpoint: Type.Optional(Type.String({ description: 'Server-Sent Events revocation feed; absent when the feed is disabled' })),
  rotor_revocation_poll_endpoint: Type.Optional(Type.String({ description: 'The same feed as JSON pages; absent when the feed is disabled' }))
}, { $id: 'AuthorizationServerMetadata', description: 'RFC 8414 §2 metadata with rotor_ extension members' })
