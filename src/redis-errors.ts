// Errors that mean "the store is not there right now", as opposed to a bug: answered 503 with Retry-After. Every
// topology event must land here: a failover, a demotion while a WAIT is blocked, a resharding step, a node loss.
// Cluster: a redirection still pending (MOVED, ASK), a slot map being rebuilt, or no node reachable; Sentinel: none
// of the Sentinels answers or the primary they name is not reachable yet; any: a connection closed or replaced under
// a command, a node loading its data set, a blocked WAIT released because the node stopped being a primary.
const UNAVAILABLE = new RegExp([
  'Connection is closed', "Stream isn't writeable", 'Command timed out', 'Command aborted due to connection close',
  'Connection is discarded', 'Connection is aborted', 'Node is disconnected', 'Socket timeout', 'Ready check failed',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'max retries',
  // Redis 7 keeps the code of an error raised by redis.call() first; older servers wrap it, hence no anchor there.
  'READONLY', '^LOADING', '^MASTERDOWN', '^NOREPLICAS', '^BUSY', '^OOM', '^UNBLOCKED', '^NOTBUSY', '^EXECABORT',
  '^CLUSTERDOWN', '^TRYAGAIN', '^MOVED ', '^ASK ', 'Too many Cluster redirections', "Cluster isn't ready", 'Cluster is ended',
  'Cluster is disconnect', 'None of startup nodes', 'Failed to refresh slots cache',
  'All sentinels are unreachable', 'Failed to connect to any sentinel'
].join('|'), 'i')

/** Thrown for a store answer that cannot be trusted, whatever ioredis reported: always answered 503. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
}

export function isStoreUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  return err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError' || err.name === 'StoreUnavailableError' ||
    UNAVAILABLE.test(err.message)
}
