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

/** POST a JSON body; resolves with the status and the parsed JSON answer (undefined when it is not JSON). */
export function postJson (url: string, body: unknown): Promise<{ status: number, body: Record<string, unknown> | undefined }> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      agent, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
    }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.once('end', () => {
        let parsed: Record<string, unknown> | undefined
        try { parsed = JSON.parse(text) as Record<string, unknown> } catch { parsed = undefined }
        resolve({ status: res.statusCode!, body: parsed })
      })
    })
    req.once('error', reject)
    req.end(payload)
  })
}
