// Load shedding with @fastify/under-pressure: while this process is saturated (mean event-loop delay, event-loop
// utilisation, heap or RSS above the configured thresholds, sampled every OVERLOAD_SAMPLE_INTERVAL_MS), requests get
// an immediate 503 temporarily_unavailable with Retry-After instead of queueing behind the backlog (OWASP Denial of
// Service Cheat Sheet). The plugin's own status route stays off: /healthz is ours and keeps answering, since an
// overloaded process is alive and restarting it would only move its load elsewhere; routes opt out with
// `config: SERVED_UNDER_PRESSURE`.
import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errors, withRetryAfter } from '../errors.js'

type PressureHandler = (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => Promise<void> | void

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Read by @fastify/under-pressure: a route's own answer to pressure (returning nothing serves the request). */
    pressureHandler?: PressureHandler
  }
}

/** Route config for routes that must answer even under pressure (liveness, metrics). */
export const SERVED_UNDER_PRESSURE: { pressureHandler: PressureHandler } = { pressureHandler: () => undefined }

export default fp(async (app) => {
  const { overload } = app.config
  // The next sample may already clear the condition; never less than a second.
  const retryAfterSeconds = Math.max(1, Math.ceil(overload.sampleIntervalMs / 1000))
  let lastWarningMs = 0
  await app.register(underPressure, {
    maxEventLoopDelay: overload.maxEventLoopDelayMs,
    maxEventLoopUtilization: overload.maxEventLoopUtilizationPercent / 100,
    maxHeapUsedBytes: overload.maxHeapUsedBytes,
    maxRssBytes: overload.maxRssBytes,
    sampleInterval: overload.sampleIntervalMs,
    exposeStatusRoute: false,
    // A rejected promise goes to the error handler: the usual { error, error_description } body and headers.
    pressureHandler: async (request, _reply, type) => {
      // One line per sample interval at most: logging every shed request would add to the load.
      if (Date.now() - lastWarningMs >= overload.sampleIntervalMs) {
        lastWarningMs = Date.now()
        request.log.warn({ type, usage: app.memoryUsage() }, 'overloaded: shedding requests with 503')
      }
      throw withRetryAfter(errors.temporarilyUnavailable('The server is overloaded; retry shortly'), retryAfterSeconds)
    }
  })
}, { name: 'overload', dependencies: ['config', 'error-handler'] })
