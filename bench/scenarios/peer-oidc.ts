// Scenario 10 (issue 13): Rotor's refresh beside node-oidc-provider's refresh-token grant with rotation
// (bench/peer-oidc/server.ts): as many families as scenario 2 rotated, each token presented once, the same
// connections, phase length, Redis server, core and load generator. Run right after scenario 2, whose rate it is
// compared with.
import { join } from 'node:path'
import { freePort } from '../../src/redis-server.js'
import { startChild } from '../child.js'
import { measurePhase, type BenchContext } from '../context.js'
import { cpuPerRequest, ratio } from '../stats.js'
import type { BenchResults } from '../types.js'
import { partitionUsers } from './partition.js'

export async function runPeerOidc (ctx: BenchContext, rotorRefresh: BenchResults['refresh']): Promise<BenchResults['peerOidc']> {
  const { bench } = ctx
  const { appRefresh } = partitionUsers(ctx.seed.users, bench)
  const port = await freePort()
  const peer = startChild('./peer-oidc/server.ts', { core: ctx.pinning.serverCore, env: { REDIS_URL: ctx.redisProcess.url, PORT: String(port) } })
  try {
    await peer.ready
    const tokensFile = join(ctx.workDir, 'peer-oidc-refresh-tokens.txt')
    ctx.log(`scenario 10: ${appRefresh.length} node-oidc-provider grants with a refresh token each`)
    await peer.call('seed', { userIds: appRefresh.map((u) => u.userId), file: tokensFile })
    ctx.log('scenario 10: node-oidc-provider POST /token grant_type=refresh_token (rotation), each token once')
    const phase = await measurePhase(ctx, {
      url: `http://127.0.0.1:${port}`, kind: 'oidc-refresh', valuesFile: tokensFile, connections: bench.connections, seconds: bench.seconds, amount: appRefresh.length
    }, peer.pid)
    return {
      families: appRefresh.length, peer: phase, ratio: ratio(rotorRefresh.app.rps, phase.rps),
      ratioByCpu: ratio(cpuPerRequest(phase), cpuPerRequest(rotorRefresh.app))
    }
  } finally {
    await peer.stop()
  }
}
