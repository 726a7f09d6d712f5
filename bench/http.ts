// Single requests from the orchestrator (revocation scenario): node:http over one keep-alive agent per run, so a
// poll costs a request on an open socket and not a TCP handshake.
import http from 'node:http'

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

export function request (url: string, options: { method?: string, token?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      agent,
      method: options.method ?? 'GET',
      headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }
    }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode!))
    })
    req.once('error', reject)
    req.end()
  })
}

export function closeAgent (): void {
  agent.destroy()
}
