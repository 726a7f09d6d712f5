// What every scenario shares: settings, the running processes, the seeded users, and the measuring of one phase.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { Config } from '../src/config.js'
import type { RedisProcess } from '../src/redis-server.js'
import type { SeedResult } from '../src/seed/seed-users.js'
import type { KeySet } from '../src/tokens/key-set.js'
import type { Child } from './child.js'
import type { BenchConfig } from './config.js'
import type { LoadSpec } from './load.js'
import type { PacedSpec } from './paced-load.js'
import { coreTimes, coreUsage, cpuSeconds, type Pinning } from './pinning.js'
import type { LoadResult, Phase } from './types.js'

export interface AppServer { child: Child, url: string }

export interface BenchContext {
  bench: BenchConfig
  pinning: Pinning
  /** The app's configuration, as the server processes load it from `appEnv`. */
  appConfig: Config
  appEnv: Record<string, string>
  keysJson: string
  keySet: KeySet
  refreshSecret: string
  redisProcess: RedisProcess
  redis: Redis
  /** Instance A takes every load; B exists for the revocation scenario. */
  servers: { a: AppServer, b: AppServer }
  load: Child
  baselines: Child
  seed: SeedResult
  password: string
  workDir: string
  log (message: string): void
}

/** Write values one per line for the load generator; returns the path. */
export function writeLines (ctx: BenchContext, name: string, lines: string[]): string {
  const file = join(ctx.workDir, `${name}.txt`)
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 })
  return file
}

/** Run one load phase against instance A (or the server `serverPid`) and add the CPU it and Redis used meanwhile. */
export async function measurePhase (ctx: BenchContext, spec: LoadSpec | (PacedSpec & { paced: true }), serverPid = ctx.servers.a.child.pid): Promise<Phase> {
  const redisPid = ctx.redisProcess.process.pid
  const { serverCore, loadCore } = ctx.pinning
  const server0 = cpuSeconds(serverPid)
  const redis0 = cpuSeconds(redisPid)
  const serverCore0 = coreTimes(serverCore)
  const loadCore0 = coreTimes(loadCore)
  const t0 = performance.now()
  const result = 'paced' in spec ? await ctx.load.call<LoadResult>('paced', spec) : await ctx.load.call<LoadResult>('run', spec)
  const wall = (performance.now() - t0) / 1000
  const serverCpuPercent = (cpuSeconds(serverPid) - server0) / wall * 100
  const redisCpuPercent = (cpuSeconds(redisPid) - redis0) / wall * 100
  const onServerCore = coreUsage(serverCore0, coreTimes(serverCore))
  const onLoadCore = coreUsage(loadCore0, coreTimes(loadCore))
  const phase: Phase = {
    ...result,
    serverCpuPercent,
    redisCpuPercent,
    // What else kept the cores busy: other tenants of a shared machine show up here (and in steal), not in our figures.
    serverCoreOtherPercent: Math.max(0, onServerCore.busyPercent - serverCpuPercent - redisCpuPercent),
    loadCoreOtherPercent: Math.max(0, onLoadCore.busyPercent - result.loadCpuPercent),
    stealPercent: onServerCore.stealPercent
  }
  ctx.log(`  ${Math.round(phase.rps)} req/s 2xx, p50/p99/max ${phase.latencyMs.p50}/${phase.latencyMs.p99}/${phase.latencyMs.max} ms` +
    `${phase.non2xx + phase.errors > 0 ? `, ${phase.non2xx} non-2xx, ${phase.errors} errors ${JSON.stringify(phase.statusCodes)}` : ''}` +
    `; CPU server ${pct(phase.serverCpuPercent)}, redis ${pct(phase.redisCpuPercent)}, other on server core ${pct(phase.serverCoreOtherPercent)}` +
    `, load ${pct(phase.loadCpuPercent)}, other on load core ${pct(phase.loadCoreOtherPercent)}`)
  return phase
}

const pct = (n: number): string => Number.isFinite(n) ? `${Math.round(n)}%` : 'n/a'
