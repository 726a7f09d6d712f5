// Durable mode (REDIS_WAIT_REPLICAS) running below its setting: each session write answered while the node holding
// it had fewer replicas than asked for (a promoted replica with none of its own, a replica being resynced). Alert on
// a sustained rate: that shard's writes survive the loss of its primary only if its replica comes back.
import { Counter, type Registry } from 'prom-client'
import type { DurabilityPolicy } from '../redis-durability.js'

export function instrumentDurability (durability: DurabilityPolicy, registry: Registry): void {
  const degraded = new Counter({
    name: 'rotor_redis_durability_degraded_writes_total',
    help: 'Session writes that waited for fewer replicas than REDIS_WAIT_REPLICAS because the node had fewer, by purpose (issue: login or rotation; revoke) and replicas available (0 = best effort)',
    labelNames: ['purpose', 'available'],
    registers: [registry]
  })
  durability.onDegraded(({ purpose, available }) => { degraded.inc({ purpose, available: String(available) }) })
}
