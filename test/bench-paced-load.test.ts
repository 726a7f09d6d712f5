// The paced (open-loop) generator of `npm run bench` counts answers to its own requests only: a server that times
// out a socket left unused (408 after its header timeout, as Rotor does) must not show up as a request answered
// with a latency measured from nowhere, and the socket it closed must not swallow a request.
import t from 'tap'
import net from 'node:net'
import { runPaced } from '../bench/paced-load.js'

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'
const TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'

t.test('an unsolicited 408 on a socket is neither an answer nor a latency, and no request is lost to the closed socket', async (t) => {
  let first = true
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined) // the generator resets its sockets when it is done
    // The first socket is timed out at once, before it has sent anything; the others answer each request.
    // It still reads (and drops) what arrives, as a real server does: a socket nobody reads never sees the client's
    // FIN once a request landed in its buffer, so it never closes; with its write side shut it holds no loop handle,
    // and the process drained while server.close() waited for it ("test unfinished" on a loaded machine).
    if (first) { first = false; socket.resume(); socket.end(TIMEOUT); return }
    socket.on('data', (chunk) => { for (let i = 0; i < chunk.toString().split('\r\n\r\n').length - 1; i++) socket.write(OK) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as net.AddressInfo
  const startedAt = performance.now()
  const result = await runPaced({ url: `http://127.0.0.1:${port}`, kind: 'bare', valuesFile: '', connections: 4, seconds: 1, rate: 50 }, ['token'])
  // Whether the 408 was read before a request went out on that socket is a race (as with a real server): read first,
  // it is reported apart and the socket retired; read after, it is that request's answer. Either way it counts once,
  // and every request due is answered.
  const codes = result.statusCodes
  t.equal((codes['408'] ?? 0) + (codes['408 unsolicited'] ?? 0), 1, 'the timeout counts once')
  t.equal(result.ok + (codes['408'] ?? 0), 50, 'every request due was sent and answered; none lost to the closed socket')
  t.equal(result.errors, 0)
  t.ok(result.latencyMs.max <= performance.now() - startedAt, 'no latency longer than the run itself: none counted from a request never sent')
})

t.test('a request never answered counts as timed out once the phase has drained, not as nothing', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined)
    // Answers only the first request it reads on each socket, then reads on and stays silent, as a starved server does.
    let answered = false
    socket.on('data', () => { if (!answered) { answered = true; socket.write(OK) } })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as net.AddressInfo
  const result = await runPaced({ url: `http://127.0.0.1:${port}`, kind: 'bare', valuesFile: '', connections: 2, seconds: 0.5, rate: 20 }, ['token'])
  t.equal(result.ok, 2, 'one answer per socket')
  t.equal(result.errors, 0)
  t.equal(result.timeouts, 8, 'the other eight due requests are owed: timed out')
  t.equal(result.ok + result.non2xx + result.errors + result.timeouts, 10, 'every request due is accounted for')
})
