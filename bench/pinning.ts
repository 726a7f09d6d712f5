// CPU pinning: the server side (app instances, their Redis, the raw baselines) on core 0 and the load generator on
// core 1, so neither steals the other's CPU and a baseline runs on exactly the core the server had. Where taskset or
// a second core is missing everything runs unpinned, and the results say so.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

export interface Pinning {
  pinned: boolean
  /** Why pinning is off, or what is pinned where. */
  detail: string
  serverCore?: string
  loadCore?: string
}

export const SERVER_CORE = '0'
export const LOAD_CORE = '1'

const runs = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0

export function detectPinning (wanted: boolean): Pinning {
  if (!wanted) return { pinned: false, detail: 'unpinned: BENCH_PIN=0' }
  if (process.platform !== 'linux') return { pinned: false, detail: `unpinned: taskset is Linux-only (platform ${process.platform})` }
  if (!runs('taskset', ['-V'])) return { pinned: false, detail: 'unpinned: taskset is not installed (util-linux)' }
  const cores = availableParallelism()
  if (cores < 2) return { pinned: false, detail: `unpinned: only ${cores} core available` }
  // Cores 0 and 1 must both be in this process's affinity mask (a container's cpuset may exclude them).
  if (!runs('taskset', ['-c', SERVER_CORE, 'true']) || !runs('taskset', ['-c', LOAD_CORE, 'true'])) {
    return { pinned: false, detail: 'unpinned: cores 0 and 1 are not both usable by this process' }
  }
  return {
    pinned: true,
    detail: `server side (app instances, Redis, raw baselines) on core ${SERVER_CORE}; load generator on core ${LOAD_CORE}`,
    serverCore: SERVER_CORE,
    loadCore: LOAD_CORE
  }
}

/** The command line that runs argv on `core` (unchanged when core is undefined). */
export function pinnedCommand (core: string | undefined, argv: string[]): { command: string, args: string[] } {
  if (core === undefined) return { command: argv[0]!, args: argv.slice(1) }
  return { command: 'taskset', args: ['-c', core, ...argv] }
}

/** Move a running process, all its threads included, onto `core`. */
export function pinRunningProcess (pid: number, core: string | undefined): void {
  if (core === undefined) return
  if (!runs('taskset', ['-a', '-p', '-c', core, String(pid)])) throw new Error(`taskset could not pin process ${pid} to core ${core}`)
}

let ticksPerSecond: number | undefined

/** CPU time (user + system, all threads) a process has used so far, in seconds; NaN where /proc is unavailable. */
export function cpuSeconds (pid: number | undefined): number {
  if (pid === undefined) return NaN
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
  } catch {
    return NaN
  }
}

export interface CoreTimes { busy: number, steal: number, total: number }

/** Time counters of one core from /proc/stat (ticks): busy is everything but idle, iowait and steal. */
export function coreTimes (core: string | undefined): CoreTimes | undefined {
  if (core === undefined) return undefined
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `))
    if (line === undefined) return undefined
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number) as number[]
    const busy = user! + nice! + system! + irq! + softirq!
    return { busy, steal, total: busy + idle! + iowait! + steal }
  } catch {
    return undefined
  }
}

/** Share of a core's time between two readings that was busy, and that the hypervisor stole, in percent. */
export function coreUsage (before: CoreTimes | undefined, after: CoreTimes | undefined): { busyPercent: number, stealPercent: number } {
  if (before === undefined || after === undefined || after.total <= before.total) return { busyPercent: NaN, stealPercent: NaN }
  const total = after.total - before.total
  return { busyPercent: (after.busy - before.busy) / total * 100, stealPercent: (after.steal - before.steal) / total * 100 }
}
