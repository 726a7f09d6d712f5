// Process entry: the only file that reads the environment, listens and exits.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server.js'
import { setThreadPoolNice } from './users/thread-pool-priority.js'
import { resolveKeySet, resolveRefreshSecret } from './dev-secrets.js'
import { redisAnswers, redisServerInstalled, startRedisServer, type RedisProcess } from './redis-server.js'

const STATE_DIR = '.rotor' // development keys, secret and Redis data; git-ignored

async function main (): Promise<void> {
  const config = loadConfig(process.env)
  const warn = (message: string) => console.warn(`WARNING: ${message}`)
  let devRedis: RedisProcess | undefined
  if (config.env !== 'production' && config.redis.topology.kind === 'standalone' && process.env.REDIS_URL === undefined &&
    !(await redisAnswers(config.redis.url))) {
    if (!redisServerInstalled()) {
      console.error(`No Redis answers at ${config.redis.url} and redis-server is not installed: install Redis (apt-get install redis-server, brew install redis) or set REDIS_URL.`)
      process.exit(1)
    }
    devRedis = await startRedisServer({ dir: `${STATE_DIR}/redis` })
    config.redis.url = devRedis.url
    console.warn(`No Redis at the default address: started a private redis-server at ${devRedis.url} (data in ${STATE_DIR}/redis; development only).`)
  }
  const keySet = await resolveKeySet(config, STATE_DIR, warn)
  const refreshSecret = resolveRefreshSecret(config, STATE_DIR, warn)
  const app = await buildApp({ config, keySet, refreshSecret })
  let metricsServer: MetricsServer | undefined

  // SIGTERM (what orchestrators and `docker stop` send): first leave the balancer's rotation (/readyz answers 503) while
  // still serving everything for SHUTDOWN_DRAIN_SECONDS, long enough for its health checks to notice, so no new request
  // meets a closed port. Then close: Fastify finishes in-flight requests, the Redis plugin quits, and the private Redis
  // stops if we started one. Ctrl-C (SIGINT, interactive) and a crash skip the drain.
  const drainMs = config.shutdownDrainSeconds * 1000
  closeWithGrace({ delay: drainMs + 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    if (signal === 'SIGTERM' && drainMs > 0) {
      app.readiness.startDraining()
      app.log.info({ drainSeconds: config.shutdownDrainSeconds }, 'draining: not ready, still serving')
      await new Promise((resolve) => setTimeout(resolve, drainMs))
    }
    await metricsServer?.close()
    await app.close()
    await devRedis?.stop()
  })
  const { threadNice, poolSize } = config.passwordHashing
  const niced = await setThreadPoolNice(threadNice, poolSize)
  if (threadNice !== 0) app.log.info({ nice: threadNice, threads: niced.threads.length, poolSize, skipped: niced.skipped }, 'libuv pool priority')
  await app.listen({ host: config.host, port: config.port })
  if (config.metrics.port !== undefined) {
    // Metrics on their own port (for the monitoring network only); the main app then serves no /metrics.
    const { host, port } = config.metrics
    metricsServer = await startMetricsServer({ registry: app.metrics.registry, host, port, onError: (err) => app.log.error({ err }, 'metrics collection failed') })
    app.log.info({ host, port }, 'metrics listening')
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message)
  else console.error(err)
  process.exit(1)
})
