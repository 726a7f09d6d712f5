// The metrics registry of one app. Never prom-client's global registry: tests build many apps in one process, and
// two apps sharing a registry would mix their counters (and throw on the second registration of a name).
import { collectDefaultMetrics, Registry } from 'prom-client'

export const METRIC_PREFIX = 'rotor_'

let processMetrics: Registry | undefined

/**
 * A fresh registry holding the process metrics (CPU, memory, handles, event-loop lag, GC) under `rotor_`.
 * Those describe the process, not an app, so they are collected once per process into a private registry whose
 * metric objects every app registry shares: collecting them per app would start another event-loop monitor and
 * GC observer for each app built, none of which is ever stopped.
 */
export function createMetricsRegistry (): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry()
    collectDefaultMetrics({ register: processMetrics, prefix: METRIC_PREFIX })
  }
  return Registry.merge([processMetrics])
}
