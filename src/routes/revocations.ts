// GET /revocations/stream (Server-Sent Events) and GET /revocations (JSON pages): the revocation feed for services
// that verify Rotor's access tokens (contract: docs/revocation-feed.md). Thin: the work is in src/revocation/feed-*.ts.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { errors, withChallenge, withRetryAfter } from '../errors.js'
import { pollPage } from '../revocation/feed-poll.js'
import { ErrorBody, errorResponses, success } from '../schemas/common.js'
import { RevocationPage, RevocationPageQuery, StreamQuery } from '../schemas/feed.js'
import { Type } from '@sinclair/typebox'

const REALM = 'Bearer realm="rotor-revocations"'
/** Long enough for a full instance to shed some subscribers, short next to the 2.5 × heartbeat a subscriber tolerates. */
const FULL_RETRY_AFTER_SECONDS = 5
const DEFAULT_PAGE = 500

const FEED_SECURITY: Array<Record<string, string[]>> = [{ feedCredential: [] }, {}] // {}: REVOCATION_FEED_OPEN=true (a private network)
const feedErrors = {
  ...errorResponses(404, 503),
  401: {
    ...Type.Ref(ErrorBody),
    description: 'Missing or wrong feed credential (invalid_token)',
    headers: { 'WWW-Authenticate': { type: 'string', description: 'Bearer realm="rotor-revocations" (RFC 6750 §3), with error="invalid_token" for a wrong one' } }
  }
}

const routes: FastifyPluginAsync = async (app) => {
  /** The feed's gate, the same for both routes: enabled, credential, this instance live. */
  function admit (request: FastifyRequest): NonNullable<typeof app.revocationStream> {
    const feed = app.revocationStream
    if (feed === undefined) throw errors.notFound('The revocation feed is not enabled on this deployment')
    const auth = feed.authorize(request.headers.authorization)
    if (auth === 'missing') throw withChallenge(errors.invalidToken('The revocation feed needs its credential'), REALM)
    if (auth === 'invalid') throw withChallenge(errors.invalidToken('The feed credential is not valid'), `${REALM}, error="invalid_token"`)
    // Not caught up, or degraded: this instance could miss revocations, so it does not serve new subscribers.
    const refusal = feed.server.refusal()
    if (refusal === 'not-live') throw withRetryAfter(errors.temporarilyUnavailable('This instance\'s revocation feed is not live; retry or use another instance'), 2)
    return feed
  }

  app.get('/revocations/stream', {
    exposeHeadRoute: false, // a HEAD would open a subscription that can never carry an event
    schema: {
      summary: 'Revocation feed (Server-Sent Events)',
      description: 'Events `revocation` (id: log position, data: RevocationEvent), `snapshot` (data: {"entries":[RevocationEvent…]}), ' +
        '`snapshot-end` (id: the position to resume from, data: {"count":N}), `status` (data: {"state":"live"|"degraded"}), ' +
        'and `: hb <ms>` comments every REVOCATION_FEED_HEARTBEAT_SECONDS. Resume with Last-Event-ID. See docs/revocation-feed.md.',
      tags: ['revocations'],
      security: FEED_SECURITY,
      querystring: StreamQuery,
      response: {
        200: {
          description: 'The event stream: `retry: 1000` first, then a snapshot or the missed events, then live events',
          content: { 'text/event-stream': { schema: { type: 'string' } } }
        },
        ...feedErrors
      }
    }
  }, async (request, reply) => {
    const feed = admit(request)
    if (feed.server.refusal() === 'full') throw withRetryAfter(errors.temporarilyUnavailable('Too many subscribers on this instance; retry or use another instance'), FULL_RETRY_AFTER_SECONDS)
    const header = request.headers['last-event-id']
    const lastEventId = (Array.isArray(header) ? header[0] : header) ?? (request.query as { lastEventId?: string }).lastEventId
    reply.hijack()
    feed.server.open(reply.raw, lastEventId?.trim())
  })

  app.get('/revocations', {
    schema: {
      summary: 'Revocation feed as JSON pages, for pollers',
      tags: ['revocations'],
      security: FEED_SECURITY,
      querystring: RevocationPageQuery,
      response: { 200: success(RevocationPage, 'Events after `after`, or a page of the snapshot', { 'Cache-Control': 'no-store' }), ...errorResponses(400), ...feedErrors }
    }
  }, async (request, reply) => {
    const feed = admit(request)
    const query = request.query as { after?: string, limit?: string }
    const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit)
    if (limit < 1 || limit > 1000) throw errors.invalidRequest('limit must be from 1 to 1000')
    const page = pollPage(app.revocations.log!, app.revocations.list, query.after, limit)
    if (page === 'bad-after') throw errors.invalidRequest('after must be an event id (<ms>-<seq>) or the next of a previous page')
    if (page.snapshotStarted) feed.pollSnapshot()
    reply.header('Cache-Control', 'no-store')
    return { events: page.events, next: page.next, snapshot: page.snapshot, more: page.more }
  })
}

export default routes
