// Load generator process (pinned to its own core): runs autocannon phases on request from the orchestrator.
// Each phase cycles through a list of values (access tokens, refresh tokens or emails) read from a file, one per
// line; with `amount` no larger than the list, every value is sent exactly once (autocannon calls setupRequest once
// per request sent, the first one included).
import autocannon from 'autocannon'
import { serveTasks } from './child.js'
import { runPaced, type PacedSpec } from './paced-load.js'
import { requestFor, values } from './requests.js'
import type { LoadResult, RequestKind } from './types.js'

export interface LoadSpec {
  url: string
  kind: RequestKind
  valuesFile: string
  password?: string
  connections: number
  seconds: number
  /** Stop after this many requests (or after `seconds`, whichever comes first). */
  amount?: number
  /** autocannon overallRate: requests per second over all connections (a budget refilled once per second). */
  overallRate?: number
}

async function run (spec: LoadSpec): Promise<LoadResult> {
  const list = values(spec.valuesFile)
  let next = 0
  const first = requestFor(spec.kind, list[0]!, spec.password)
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  let instance: autocannon.Instance | undefined
  let timer: NodeJS.Timeout | undefined
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
      url: spec.url + first.path,
      method: first.method,
      connections: Math.min(spec.connections, spec.amount ?? Infinity),
      duration: spec.seconds,
      amount: spec.amount,
      overallRate: spec.overallRate,
      // Stop and sample every 100 ms: with the default 1 s, a phase ending by `amount` would count up to a second idle.
      sampleInt: 100,
      requests: [{
        setupRequest: (request) => {
          const { method, path, headers, body } = requestFor(spec.kind, list[next++ % list.length]!, spec.password)
          return { ...request, method, path, headers, body }
        }
      }]
    }, (err, res) => { if (err !== null && err !== undefined) reject(err); else resolve(res) })
    // With `amount` autocannon ignores `duration`: bound the phase ourselves.
    if (spec.amount !== undefined) timer = setTimeout(() => instance?.stop(), spec.seconds * 1000)
  })
  clearTimeout(timer)
  const cpu = process.cpuUsage(cpuBefore)
  const seconds = result.duration
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0])),
    seconds,
    rps: result['2xx'] / seconds,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    loadCpuPercent: (cpu.user + cpu.system) / 10 / (performance.now() - wallBefore)
  }
}

serveTasks({
  run: (spec: LoadSpec) => run(spec),
  paced: (spec: PacedSpec) => runPaced(spec, values(spec.valuesFile))
})
