// Stale-tolerant reads from this region's own nodes (REDIS_LOCAL_NODES) in a Redis Cluster that spans regions
// (docs/regions.md#local-reads). Only the email index lookup at login qualifies: an entry is written once at
// registration and never changes, so a replica can only lag by not holding it yet, which a registration waits out
// (src/users/user-store.ts). Everything else (user records, session scripts, revocations) reads the slot's master: a rotation must
// see the generation the last one wrote, and a stale password hash, disabled flag or session list must not be used.
import type { Redis } from 'ioredis'
import type { HostPort } from './config-values.js'

/** The part of an ioredis command the route reads. */
interface RoutedCommand { name: string, getKeys: () => Array<string | Buffer> }

const address = ({ host, port }: HostPort): string => `${host}:${port}`

/**
 * Every name under which ioredis may know a local node: the address it connects to, and (ioredis keeps it until its
 * next slot refresh after a MOVED) the address the Cluster announces for it, found through the NAT map.
 */
export function localAddresses (localNodes: HostPort[], natMap: Record<string, HostPort> = {}): Set<string> {
  const local = new Set(localNodes.map(address))
  for (const [announced, target] of Object.entries(natMap)) if (local.has(address(target))) local.add(announced)
  return local
}

/**
 * An ioredis `scaleReads` function. ioredis calls it for read-only commands only (writes and scripts always go to the
 * master) with the slot's nodes, master first. A GET of an email index key goes to whichever of them is local to this
 * region, master or replica; anything else, or a slot with no local node, goes to the master. An entry may be
 * missing: after a MOVED, ioredis names the new master by an address it has no connection for until its next slot
 * refresh (ioredis 5.11); the route then answers undefined for it, and ioredis sends the command to any node, which
 * redirects it. Throwing here would be an uncaught exception inside ioredis's reply handling.
 */
export function localReadRoute (local: Set<string>, emailIndexPrefix: string): (nodes: Array<Redis | undefined>, command: RoutedCommand) => Redis | undefined {
  return (nodes, command) => {
    const master = nodes[0]
    if (command.name !== 'get' || !String(command.getKeys()[0] ?? '').startsWith(emailIndexPrefix)) return master
    return nodes.find((node) => node !== undefined && local.has(`${node.options.host ?? ''}:${node.options.port ?? ''}`)) ?? master
  }
}
