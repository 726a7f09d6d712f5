// A rotation whose connection went silent is answered 503 (its command timed out) while the client carries on through
// another instance. When that connection is then reset, the command must not be sent again once the instance has
// reconnected: replayed after the client rotated twice elsewhere, it is a reuse and logs the user out.
// A small TCP proxy in front of one node makes the silent connection: `drop()` discards what the instance sends (the
// command never reaches Redis, unlike a held partition, whose bytes would still arrive), `reset()` closes every
// connection, after which new ones are forwarded again.
import net, { type AddressInfo, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { bearer, json, refresh, type Test } from './helper.js'
import { sleep, until } from './topologies.js'

export interface DroppingProxy { port: number, drop (): void, reset (): void }

export async function startDroppingProxy (t: Test, target: number): Promise<DroppingProxy> {
  const sockets = new Set<Socket>()
  let dropping = false
  const track = (socket: Socket) => { sockets.add(socket); socket.on('error', () => undefined); socket.once('close', () => sockets.delete(socket)) }
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target })
    track(client); track(upstream)
    client.on('data', (chunk) => { if (!dropping) upstream.write(chunk) })
    upstream.on('data', (chunk) => client.write(chunk))
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const reset = () => { dropping = false; for (const socket of sockets) socket.destroy() }
  t.teardown(() => { reset(); return new Promise<void>((resolve) => server.close(() => resolve())) })
  return { port: (server.address() as AddressInfo).port, drop: () => { dropping = true }, reset }
}

type Check = Test & { equal: (found: unknown, wanted: unknown, message: string) => unknown, ok: (value: unknown, message: string) => unknown }

/**
 * The client's steps, `behind` being the instance whose store connection goes through `proxy`: its rotation times
 * out (503), the client rotates twice through `direct`, the connection is reset and `behind` reconnects (it lists
 * the user's sessions again, a read of the same key over the same connection). Resolves with the answer to the
 * client's next refresh, through `direct`.
 */
export async function rotateAroundASilentConnection (t: Check, behind: FastifyInstance, direct: FastifyInstance, proxy: DroppingProxy,
  user: { refreshToken: string, accessToken: string }): Promise<{ statusCode: number }> {
  proxy.drop()
  t.equal((await refresh(behind, user.refreshToken)).statusCode, 503, 'the rotation on the silent connection times out: 503')
  let token = user.refreshToken
  for (const step of [1, 2]) {
    const res = await refresh(direct, token)
    t.equal(res.statusCode, 200, `rotation ${step} through the other instance`)
    token = json<{ refresh_token: string }>(res).refresh_token
  }
  proxy.reset()
  const listed = async () => (await behind.inject({ url: '/auth/sessions', headers: bearer(user.accessToken) })).statusCode === 200
  await until('the instance behind the proxy to reach the user\'s node again', listed, 30_000)
  // A resend is written on reconnecting (standalone) or after ioredis's retry delay (Cluster, 100 ms): past that,
  // a read on the same connection is answered after it has run.
  await sleep(500)
  t.ok(await listed(), 'and once more after any resend')
  return refresh(direct, token)
}
