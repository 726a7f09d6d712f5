// METRICS_PORT: metrics on a separate listener (for the monitoring network only) and not on the main port, which
// faces clients. Checked on the listener itself and on the compiled server as operators run it.
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'
import { startMetricsServer } from '../src/metrics/metrics-server.js'
import { freePort } from '../src/redis-server.js'
import { buildTestApp, json, registerAndLogin } from './helper.js'
import { parseMetrics, valueOf } from './metrics-scrape.js'
import { BOOT_TIMEOUT_MS, productionEnv, startServer } from './server-process.js'


t.test('does not serve /metrics on the main port when METRICS_PORT is set', async (t) => {
  const app = await buildTestApp(t, { env: { METRICS_PORT: String(await freePort()) } })
  const res = await app.inject({ url: '/metrics' })
  t.equal(res.statusCode, 404)
  t.equal(json(res).error, 'not_found')
})

t.test('serves the app\'s registry on the separate listener, and nothing else', async (t) => {
  const app = await buildTestApp(t, { env: { METRICS_PORT: String(await freePort()) } })
  await registerAndLogin(app)
  const server = await startMetricsServer({ registry: app.metrics.registry, host: '127.0.0.1', port: 0 })
  t.teardown(() => server.close())
  const base = `http://127.0.0.1:${server.port}`

  const res = await fetch(`${base}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const samples = parseMetrics(await res.text())
  t.equal(valueOf(samples, 'rotor_logins_total', { outcome: 'succeeded' }), 1, 'this app\'s counters')
  t.ok(valueOf(samples, 'rotor_process_resident_memory_bytes') !== undefined || valueOf(samples, 'rotor_nodejs_heap_size_used_bytes') !== undefined, 'process metrics')

  const other = await fetch(`${base}/auth/token`)
  t.equal(other.status, 404, 'no other path')
  t.equal((await other.json() as { error: string }).error, 'not_found')
  t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405)
  t.equal((await fetch(`${base}/metrics`, { method: 'HEAD' })).status, 200)
})

t.test('refuses a METRICS_PORT equal to PORT or out of range, and listens on HOST unless METRICS_HOST is set', async (t) => {
  t.throws(() => loadConfig({ PORT: '4000', METRICS_PORT: '4000' }), new ConfigError('Invalid configuration: METRICS_PORT must differ from PORT (unset it to serve /metrics on the main port)'))
  t.throws(() => loadConfig({ METRICS_PORT: '70000' }), { message: /METRICS_PORT must be an integer from 1 to 65535/ })
  t.equal(loadConfig({}).metrics.port, undefined, 'unset by default: /metrics on the main port')
  t.equal(loadConfig({ HOST: '0.0.0.0', METRICS_PORT: '9100' }).metrics.host, '0.0.0.0')
  t.equal(loadConfig({ HOST: '0.0.0.0', METRICS_PORT: '9100', METRICS_HOST: '10.0.0.5' }).metrics.host, '10.0.0.5')
})

t.test('the built server serves metrics on METRICS_PORT only and still exits 0 on SIGTERM', async (t) => {
  const [port, metricsPort] = [await freePort(), await freePort()]
  const { child, output, exited } = startServer(t, await productionEnv(port, { METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' }))

  // The metrics listener starts after the main one: once it answers, both are up.
  let metrics: Response | undefined
  for (const deadline = Date.now() + BOOT_TIMEOUT_MS; Date.now() < deadline && metrics === undefined;) {
    if (child.exitCode !== null) break
    metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => undefined)
    if (metrics === undefined) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.ok(metrics, `the metrics port answers${metrics === undefined ? `:\n${output()}` : ''}`)
  t.equal(metrics?.status, 200)
  const samples = parseMetrics(await metrics?.text() ?? '')
  t.equal(valueOf(samples, 'rotor_revocation_feed_state', { state: 'live' }), 1)

  t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'the main port serves the API')
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404, 'but not the metrics')

  child.kill('SIGTERM')
  t.equal(await exited, 0, 'graceful shutdown closes both listeners')
})
