// Redis command latency, measured on the app's own ioredis client without forking it: the instance's sendCommand
// is wrapped, and each command is timed from the moment it is handed to the client until its promise settles (reply,
// error or timeout). Scripts show up as `evalsha` (and `eval` after a NOSCRIPT fallback); pipelined commands are
// timed one by one. Labelled by command name only: the names come from our code, a closed set.
import { Histogram, type Registry } from 'prom-client'
import type { RedisClient } from '../sessions/scripts.js'

/** Redis answers in well under a millisecond when healthy; the top buckets cover REDIS_COMMAND_TIMEOUT_MS. */
const BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

interface TimedCommand { name: string, promise: Promise<unknown> }
type SendCommand = (command: TimedCommand, ...rest: unknown[]) => unknown

export function instrumentRedisClient (redis: RedisClient, registry: Registry): void {
  const duration = new Histogram({
    name: 'rotor_redis_command_duration_seconds',
    help: 'Redis command latency, from hand-off to the client until the reply (or error), by command',
    labelNames: ['command'],
    buckets: BUCKETS_SECONDS,
    registers: [registry]
  })
  const target = redis as unknown as { sendCommand: SendCommand }
  const original = target.sendCommand.bind(redis) as SendCommand
  target.sendCommand = (command, ...rest) => {
    const end = duration.startTimer({ command: command.name.toLowerCase() })
    const stop = (): void => { end() }
    // A second handler on the command's own promise: the caller still sees (and must handle) its rejection.
    command.promise.then(stop, stop)
    return original(command, ...rest)
  }
}
