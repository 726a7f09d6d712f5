// The separate metrics listener used when METRICS_PORT is set: GET /metrics and nothing else, so the port can be
// opened to the monitoring network alone while the main port (which then has no /metrics) faces clients.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import type { ErrorCode } from '../errors.js'

export interface MetricsServer {
  /** The port actually bound (useful with port 0). */
  port: number
  close (): Promise<void>
}

function reply (res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  res.end(head ? undefined : body)
}

const errorBody = (error: ErrorCode, description: string) => JSON.stringify({ error, error_description: description })

/** Listen on host:port and serve the registry. Rejects if the port cannot be bound. */
export async function startMetricsServer (options: { registry: Registry, host: string, port: number, onError?: (err: Error) => void }): Promise<MetricsServer> {
  const { registry, host, port, onError } = options
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    const head = req.method === 'HEAD'
    if (path !== '/metrics') return reply(res, 404, 'application/json', errorBody('not_found', 'Only /metrics is served on this port'), head)
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD')
      return reply(res, 405, 'application/json', errorBody('invalid_request', 'Use GET'), false)
    }
    registry.metrics().then(
      (body) => { reply(res, 200, registry.contentType, body, head) },
      (err: Error) => {
        onError?.(err)
        reply(res, 500, 'application/json', errorBody('internal_error', 'Metrics could not be collected'), head)
      }
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeIdleConnections()
    })
  }
}
