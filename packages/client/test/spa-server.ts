// The static server for examples/spa: the page and its script, and the client's built ESM under /client/.
import { createServer } from 'node:http'
import { existsSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from './rotor.js'

const SPA = fileURLToPath(new URL('../../../examples/spa/', import.meta.url))
const DIST = fileURLToPath(new URL('../dist/', import.meta.url))
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' }

export async function startSpaServer (t: Test): Promise<string> {
  if (!existsSync(join(DIST, 'index.js'))) {
    throw new Error('packages/client/dist is missing: run `npm run build` first (npm test does), the page loads the built client')
  }
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/'))
    const [root, rest] = path.startsWith('/client/') ? [DIST, path.slice('/client/'.length)] : [SPA, path === '/' ? 'index.html' : path.slice(1)]
    const file = join(root, rest)
    if (!file.startsWith(root) || !existsSync(file) || TYPES[extname(file)] === undefined) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)]!, 'cache-control': 'no-store' })
    response.end(readFileSync(file))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
