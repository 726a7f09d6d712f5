// What the figures were measured on: they mean little without it.
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release } from 'node:os'
import type { Redis } from 'ioredis'
import type { BenchResults } from './types.js'

export function cpuModel (): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))
    if (line !== undefined) return line.slice(line.indexOf(':') + 1).trim()
  } catch { /* not Linux: fall back to what Node reports */ }
  return cpus()[0]?.model ?? 'unknown'
}

export async function describeMachine (redis: Redis): Promise<Omit<BenchResults['machine'], 'loadAverageAtEnd'>> {
  const info = await redis.info('server')
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
  return {
    cores: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    redis: redisVersion,
    platform: `${platform()} ${release()}`,
    loadAverageAtStart: loadAverage()
  }
}

export const loadAverage = (): number[] => loadavg().map((n) => Math.round(n * 100) / 100)
