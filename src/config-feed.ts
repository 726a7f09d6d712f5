// The revocation feed's configuration (GET /revocations/stream and GET /revocations for other services).
// Enabled by default exactly when it can be used safely: credentials configured, or explicitly opened for a private
// network. REVOCATION_FEED_ENABLED=true with neither is a boot error, never an open feed by accident.
import { ConfigError } from './config-error.js'

export interface RevocationFeedConfig {
  enabled: boolean
  /** No credential asked (a private network only). */
  open: boolean
  credentials: string[]
  maxSubscribers: number
  heartbeatSeconds: number
  /** Recent events kept in memory for resumption; older positions get a snapshot. */
  bufferEvents: number
  /** Unread output one subscriber may have queued before it is disconnected. */
  subscriberBufferBytes: number
}

export const MIN_FEED_CREDENTIAL_LENGTH = 32

export function parseRevocationFeed (e: {
  REVOCATION_FEED_ENABLED: 'true' | 'false' | 'auto', REVOCATION_FEED_OPEN: 'true' | 'false', REVOCATION_FEED_CREDENTIALS?: string
}, int: (name: 'REVOCATION_FEED_MAX_SUBSCRIBERS' | 'REVOCATION_FEED_HEARTBEAT_SECONDS' | 'REVOCATION_FEED_BUFFER_EVENTS' | 'REVOCATION_FEED_SUBSCRIBER_BUFFER_BYTES') => number): RevocationFeedConfig {
  const credentials = (e.REVOCATION_FEED_CREDENTIALS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  credentials.forEach((c, i) => {
    // The value is never echoed: only its position in the list.
    if (c.length < MIN_FEED_CREDENTIAL_LENGTH || !/^[\x21-\x7e]+$/.test(c)) {
      throw new ConfigError(`Invalid configuration: REVOCATION_FEED_CREDENTIALS entry ${i + 1} must be at least ${MIN_FEED_CREDENTIAL_LENGTH} printable characters without spaces or commas`)
    }
  })
  const open = e.REVOCATION_FEED_OPEN === 'true'
  const enabled = e.REVOCATION_FEED_ENABLED === 'auto' ? open || credentials.length > 0 : e.REVOCATION_FEED_ENABLED === 'true'
  if (enabled && !open && credentials.length === 0) {
    throw new ConfigError('Invalid configuration: REVOCATION_FEED_ENABLED=true needs REVOCATION_FEED_CREDENTIALS (comma list of secrets, each at least 32 characters) or REVOCATION_FEED_OPEN=true (private network only)')
  }
  return {
    enabled,
    open,
    credentials,
    maxSubscribers: int('REVOCATION_FEED_MAX_SUBSCRIBERS'),
    heartbeatSeconds: int('REVOCATION_FEED_HEARTBEAT_SECONDS'),
    bufferEvents: int('REVOCATION_FEED_BUFFER_EVENTS'),
    subscriberBufferBytes: int('REVOCATION_FEED_SUBSCRIBER_BUFFER_BYTES')
  }
}
