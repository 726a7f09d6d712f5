// Rotor instances on the three-region Cluster, and clients that behave as the API asks them to: a 503 carries
// Retry-After, and the client retries. On a loaded machine the harness's links (proxies in the test's own process)
// stall now and then; a master whose replicas' once-a-second ACKs arrive late then refuses writes for a moment
// (min-replicas-max-lag, NOREPLICAS → 503), which is Rotor doing what it should, not what these tests are about.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { SHARD_SLOTS, type RegionCluster } from '../scripts/regions/region-cluster.js'
import { buildTestApp, type Test } from './helper.js'
import { sleep } from './topologies.js'

/** A Rotor instance of `region`: its region's seeds, NAT map and home slots; instances sharing `prefix` share users. */
export function instanceIn (test: Test, cluster: RegionCluster, region: number, prefix: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  return buildTestApp(test, {
    redisUrl: 'redis://127.0.0.1',
    // 40 ms each way to a remote master, on a busy machine: more room than the 1 s default per command.
    env: { ...cluster.envFor(region), REDIS_HOME_SLOTS: SHARD_SLOTS.get(region)!.join('-'), REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '3000', ...env }
  })
}

const RETRY_FOR_MS = 60_000

/** Whether a failure (a thrown helper error or a response) is a 503 a client should retry. */
const retryable = (answer: LightMyRequestResponse | Error): boolean => answer instanceof Error
  ? /\b503\b/.test(answer.message)
  : answer.statusCode === 503 && answer.headers['retry-after'] !== undefined

/**
 * Run `step` until it neither throws a 503 nor answers one with Retry-After (for 60 s at most), as a client would;
 * the retries are noted in the test log. Anything else is returned or thrown as it came.
 */
export async function retryingOn503<T extends LightMyRequestResponse | object> (t: { comment: (m: string) => void }, what: string, step: () => Promise<T>): Promise<T> {
  for (const deadline = Date.now() + RETRY_FOR_MS; ;) {
    let answer: T | Error
    try { answer = await step() } catch (err) { answer = err as Error }
    const isResponse = !(answer instanceof Error) && 'statusCode' in answer && 'headers' in answer
    const failed = answer instanceof Error ? retryable(answer) : isResponse && retryable(answer as LightMyRequestResponse)
    if (!failed || Date.now() > deadline) {
      if (answer instanceof Error) throw answer
      return answer
    }
    t.comment(`${what}: 503, retried`)
    await sleep(1000)
  }
}
