// Closing a Redis client never hangs on a node that does not answer: QUIT is awaited for a bounded time, then the
// connections are dropped. A frozen node (SIGSTOP: the socket stays open, nothing is answered) once held a test's
// teardown until tap's timeout; a shutdown (SIGTERM) would hang the same way.
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { closeRedisClient, connectOrFail, createRedisClient } from '../src/redis-client.js'
import { startRedisServer } from '../src/redis-server.js'

for (const role of ['commands', 'subscriber'] as const) {
  t.test(`closes a ${role} client whose server froze, without waiting for QUIT's reply`, async (t) => {
    const server = await startRedisServer()
    t.teardown(async () => { server.process.kill('SIGCONT'); await server.stop() })
    // A command timeout longer than the close's grace: without the bound, QUIT would wait that long (the
    // subscriber has no command timeout at all, it would wait for ever).
    const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '60000', REFRESH_REUSE_GRACE_SECONDS: '0' }).redis
    const client = role === 'commands' ? createRedisClient(config, 'commands') : createRedisClient(config, 'subscriber')
    client.on('error', () => undefined)
    await connectOrFail(client)
    server.process.kill('SIGSTOP')
    await closeRedisClient(client, 200)
    // The sockets are destroyed: 'end' follows without the server ever answering (it is still frozen).
    if (client.status !== 'end') await new Promise<void>((resolve) => { client.once('end', () => resolve()) })
    t.equal(client.status, 'end', 'closed while the server is still frozen')
  })
}
