// Which errors come from the store, as opposed to a bug of ours: every one is answered 503 with Retry-After.
// The rule is structural, by where an error comes from, not by what it says:
// - every error reply of the server (ioredis ReplyError, whatever its code: READONLY, OOM, NOPERM, WRONGTYPE, an
//   error raised inside a script by a server in an odd state, "script killed", EXECABORT, MISCONF, ...);
// - every error ioredis raises about the link (its error classes: AbortError, InterruptError, ParserError,
//   MaxRetriesPerRequestError, ClusterAllFailedError; and the plain Errors it rejects commands with, listed below);
// - StoreUnavailableError, which our own store code throws (a WAIT that failed, a redirection loop, an empty reply).
// A TypeError or any other error of our own code stays a 500, so real bugs remain visible.
// Every one is logged at error level with its code; `isStoreUnavailable` tells the outages that topology events cause
// (a failover, a demotion while a WAIT is blocked, a resharding step, a node loss, a timeout) from the rest.

// ioredis's error classes (redis-errors, ioredis/built/errors); matched by name, so a second copy of either matches.
const STORE_ERROR_CLASSES = new Set(['ReplyError', 'RedisError', 'AbortError', 'InterruptError', 'ParserError',
  'MaxRetriesPerRequestError', 'ClusterAllFailedError', 'StoreUnavailableError', 'NotReplicatedError'])

// The plain Errors ioredis rejects a command with (ioredis/built: Command, Redis, cluster, event_handler), and the
// socket errors it passes through; with the server's own codes of an expected outage, for the log's `outage` field.
const OUTAGE = new RegExp([
  'Connection is closed', "Stream isn't writeable", 'Command timed out', 'Command aborted due to connection close',
  'Connection is discarded', 'Connection is aborted', 'Node is disconnected', 'Socket timeout', 'Ready check failed',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'max retries', 'connect ETIMEDOUT',
  // Redis 7 keeps the code of an error raised by redis.call() first; older servers wrap it, hence no anchor there.
  'READONLY', '^LOADING', '^MASTERDOWN', '^NOREPLICAS', '^BUSY', '^OOM', '^UNBLOCKED', '^NOTBUSY', '^EXECABORT',
  '^CLUSTERDOWN', '^TRYAGAIN', '^MOVED ', '^ASK ', 'Too many Cluster redirections', "Cluster isn't ready", 'Cluster is ended',
  'Cluster is disconnect', 'None of startup nodes', 'Failed to refresh slots cache',
  'All sentinels are unreachable', 'Failed to connect to any sentinel', '^WAIT failed',
  // A WAIT sent to a node that a failover has just demoted (a revocation's own WAIT, src/redis-durability.ts).
  'WAIT cannot be used with replica'
].join('|'), 'i')

/** Thrown for a store answer that cannot be trusted, whatever ioredis reported: always answered 503. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
}

/**
 * A write that ran on the primary but that too few replicas acknowledged (NOREPLICAS, or the WAIT itself failed):
 * answered 503, and `reply` (the script's) tells the caller what it must now record as not handed out.
 */
export class NotReplicatedError extends StoreUnavailableError {
  override name = 'NotReplicatedError'
  /** Set by the session store when the write revoked this family on the primary: announce it all the same. */
  revoked?: { userId: string, familyId: string }
  /** Set by the session store when the write raised (or rewrote) this user's session version on the primary. */
  floor?: { userId: string, minVersion: number }
  constructor (message: string, readonly reply: Array<string | number | null> | number | string | null) { super(message) }
}

/** Whether `err` comes from the store (answered 503), by its class or as one of ioredis's plain link errors. */
export function isStoreError (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  // A plain Error from a system call (ECONNRESET, ENOTFOUND, EADDRNOTAVAIL ...): in a route, only the store's sockets.
  return STORE_ERROR_CLASSES.has(err.name) || (err.constructor === Error && (OUTAGE.test(err.message) ||
    typeof (err as NodeJS.ErrnoException).syscall === 'string'))
}

/** A store error that a topology event or an outage explains (the log's `outage` field). */
export function isStoreUnavailable (err: unknown): boolean {
  return err instanceof Error && isStoreError(err) && (err instanceof StoreUnavailableError || err.name === 'MaxRetriesPerRequestError' ||
    err.name === 'ClusterAllFailedError' || OUTAGE.test(err.message))
}

/**
 * A store error's code for the log: the reply's first word (NOPERM, WRONGTYPE, NOREPLICAS, CLUSTERDOWN), a socket
 * error's code (ECONNRESET), or ioredis's error class (MaxRetriesPerRequestError); 'LINK' for its other link errors.
 */
export function storeErrorCode (err: Error): string {
  const word = /^[A-Z][A-Z_-]{2,}\b/.exec(err.message)?.[0]
  if (word !== undefined) return word
  const code = (err as NodeJS.ErrnoException).code
  if (typeof code === 'string') return code
  return err.name === 'Error' ? 'LINK' : err.name
}
