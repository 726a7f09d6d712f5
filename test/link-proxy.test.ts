// The inter-region link proxy (scripts/regions/link-proxy.ts) on real loopback sockets: regions are source addresses
// 127.0.0.r, the node behind the proxy is in region 1. Only lower bounds on time are asserted: a busy machine can
// make anything slower, never faster than the injected latency.
import t from 'tap'
import net from 'node:net'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createLinks } from '../scripts/regions/links.js'
import { startRedisServer } from '../src/redis-server.js'
import { connectFrom, echoRoundTripMs, proxyFor, startEchoNode, staysSilent } from './link-proxy-sockets.js'
import { sleep, until } from './topologies.js'

const target = (port: number) => ({ host: '127.0.0.1', port })

t.test('carries a large payload in many chunks intact and in order both ways, while the latency changes', async (t) => {
  const node = await startEchoNode(t)
  const proxy = await proxyFor(t, { target: target(node.port), region: 1, latencyMs: 20 })
  const client = await connectFrom(t, proxy, 2)
  const payload = randomBytes(8 * 1024 * 1024)
  // Uneven writes, so chunk boundaries differ on every hop.
  const write = (from: number, to: number): void => {
    for (let offset = from, size = 1; offset < to; offset += size, size = (size * 7 + 13) % 65_536 + 1) {
      client.socket.write(payload.subarray(offset, Math.min(offset + size, to)))
    }
  }
  write(0, payload.length / 2)
  // The latency drops while the first half waits in the proxy: the second half must not overtake it.
  await sleep(10)
  proxy.setLatency(1, 2, 0)
  write(payload.length / 2, payload.length)
  await client.receivedBytes(payload.length)
  t.ok(Buffer.concat(node.received[0]!).equals(payload), 'the node received every byte in order')
  t.ok(client.data().equals(payload), 'and the client got its echo back, every byte in order')
  t.equal(node.accepted[0], '127.0.0.2', 'the node sees the client\'s region address, not the proxy\'s')
})

t.test('delays cross-region data by at least the configured latency each way, per pair of regions', async (t) => {
  const node = await startEchoNode(t)
  const links = createLinks({ latencyMs: (a, b) => (a === b ? 0 : a + b === 4 ? 70 : 40) }) // 1↔3: 70 ms, else 40
  const proxy = await proxyFor(t, { target: target(node.port), region: 1, links })
  const [fromRegion2, fromRegion3] = [await connectFrom(t, proxy, 2), await connectFrom(t, proxy, 3)]
  t.ok(await echoRoundTripMs(fromRegion2) >= 80, 'region 2 → 1 → 2: two times 40 ms at least')
  t.ok(await echoRoundTripMs(fromRegion3) >= 140, 'region 3 → 1 → 3: two times 70 ms at least (the function\'s pair)')
  links.setLatency(2, 1, 150)
  t.ok(await echoRoundTripMs(fromRegion2) >= 300, 'after setLatency(2, 1, 150), on the open connection: 300 ms at least')
})

t.test('a listener for one region treats every connection as coming from it, whatever its source address', async (t) => {
  const node = await startEchoNode(t)
  const proxy = await proxyFor(t, { target: target(node.port), region: 1, from: 3 })
  const client = await connectFrom(t, proxy, 1)
  t.ok(await echoRoundTripMs(client) >= 80, 'a client on 127.0.0.1 gets the 3 ↔ 1 latency')
  t.equal(node.accepted[0], '127.0.0.3', 'and the node sees it at region 3\'s address')
})

t.test('does not give same-region connections the cross-region latency', async (t) => {
  const node = await startEchoNode(t)
  const proxy = await proxyFor(t, { target: target(node.port), region: 1, latencyMs: 500 })
  const [local, remote] = [await connectFrom(t, proxy, 1), await connectFrom(t, proxy, 2)]
  // Both sent at once: the remote echo cannot come back before 1000 ms, so the local one, not delayed, comes first
  // however slow the machine is (both wait for the same event loop). No upper bound is needed.
  const [localMs, remoteMs] = await Promise.all([echoRoundTripMs(local), echoRoundTripMs(remote)])
  t.ok(remoteMs >= 1000, `the cross-region round trip took ${Math.round(remoteMs)} ms`)
  t.ok(localMs < remoteMs, `the same-region echo (${Math.round(localMs)} ms) came back before it`)
})

t.test('a cut link goes silent: no reset, nothing delivered on open connections, new ones accepted and black-holed', async (t) => {
  const node = await startEchoNode(t)
  const proxy = await proxyFor(t, { target: target(node.port), region: 1, latencyMs: 5 })
  const open = await connectFrom(t, proxy, 2)
  await echoRoundTripMs(open, 'before')
  proxy.cut(1, 2)
  open.socket.write('during')
  const fresh = await connectFrom(t, proxy, 2)
  fresh.socket.write('hello')
  t.ok(await staysSilent(open, 500), 'the open connection receives nothing and is not closed')
  t.ok(await staysSilent(fresh, 0), 'a new connection was accepted, gets nothing back and is not closed')
  t.equal(Buffer.concat(node.received[0]!).toString(), 'before', 'the node got nothing sent during the cut')
  t.equal(node.accepted.length, 1, 'the new connection never reached the node')
  // The partition is between regions 1 and 2 only.
  for (const region of [3, 1]) {
    const other = await connectFrom(t, proxy, region)
    await echoRoundTripMs(other)
    t.equal(other.data().toString(), 'ping', `region ${region} still gets through`)
  }
})

t.test('heal restores new connections and delivers what the cut held, in order; a peer that gave up is reset', async (t) => {
  const node = await startEchoNode(t)
  const proxy = await proxyFor(t, { target: target(node.port), region: 1, latencyMs: 5 })
  const [kept, abandoned] = [await connectFrom(t, proxy, 2), await connectFrom(t, proxy, 2)]
  await echoRoundTripMs(kept, 'a')
  await echoRoundTripMs(abandoned, 'x')
  proxy.cut(1, 2)
  kept.socket.write('b')
  kept.socket.write('c')
  const heldNew = await connectFrom(t, proxy, 2)
  heldNew.socket.write('held hello')
  abandoned.socket.resetAndDestroy() // as a client whose timeout fired would: the node must not hear of it yet
  await sleep(300)
  t.equal(node.closed(), 0, 'no close reached the node during the cut')
  proxy.heal(1, 2)
  await kept.receivedBytes(3)
  t.equal(kept.data().toString(), 'abc', 'the connection kept open carries on with the held bytes, in order')
  await heldNew.receivedBytes('held hello'.length)
  t.equal(heldNew.data().toString(), 'held hello', 'the connection accepted during the cut is connected at the heal')
  t.ok(await echoRoundTripMs(await connectFrom(t, proxy, 2)) >= 10, 'a new connection after the heal works')
  await until('the node sees the abandoned connection closed', () => node.closed() === 1, 10_000)
  t.equal(node.closed(), 1, 'the node\'s side of the abandoned connection is closed after the heal')
})

t.test('close destroys every connection and frees the port', async (t) => {
  const node = await startEchoNode(t)
  const proxy = await proxyFor(t, { target: target(node.port), region: 1 })
  const client = await connectFrom(t, proxy, 2)
  await echoRoundTripMs(client)
  t.equal(proxy.connections(), 1, 'one connection open before close')
  await proxy.close()
  await until('the client sees its connection closed', () => client.ended(), 10_000)
  t.equal(proxy.connections(), 0, 'no connection left')
  const again = net.createServer()
  t.teardown(() => { again.close() })
  await new Promise<void>((resolve, reject) => { again.once('error', reject); again.listen(proxy.port, proxy.host, resolve) })
  t.equal(again.listening, true, `${proxy.host}:${proxy.port} can be listened on again`)
})

t.test('a redis-server behind the proxy answers PING from region 2 and sees the client at 127.0.0.2', async (t) => {
  // Protected mode (no password) admits 127.0.0.1 and ::1 only, not the other loopback addresses regions use.
  const redis = await startRedisServer({ args: ['--protected-mode', 'no'] })
  t.teardown(() => redis.stop())
  const proxy = await proxyFor(t, { target: target(redis.port), region: 1 })
  const client = await connectFrom(t, proxy, 2)
  const sentAtMs = performance.now()
  client.socket.write('PING\r\n')
  t.ok(await client.receivedBytes(7) - sentAtMs >= 80, 'one cross-region round trip at least')
  t.equal(client.data().toString(), '+PONG\r\n', 'PONG, through the proxy')
  client.socket.write('CLIENT INFO\r\n')
  await until('CLIENT INFO answered', () => client.data().toString().endsWith('\n\r\n'), 10_000)
  t.match(client.data().toString(), / addr=127\.0\.0\.2:[0-9]+ laddr=127\.0\.0\.1:/, 'Redis sees the client\'s region address')
})
