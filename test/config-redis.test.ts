// Redis topology and durability settings: REDIS_SENTINELS or REDIS_CLUSTER_NODES (never both) pick the topology,
// REDIS_URL still carries the data nodes' credentials, and a bad list stops the boot with one line naming the variable.
import t from 'tap'
import { readFileSync } from 'node:fs'
import type { Cluster, Redis } from 'ioredis'
import { EnvSchema, loadConfig } from '../src/config.js'
import { createRedisClient } from '../src/redis-client.js'
import { connectedAddress } from '../src/redis-durability.js'
import { localAddresses, localReadRoute } from '../src/redis-local-reads.js'
import { configError } from './config-assert.js'

t.test('defaults to one Redis server and no replica acknowledgement', async (t) => {
  const { redis } = loadConfig({})
  t.same(redis.topology, { kind: 'standalone' })
  t.equal(redis.waitReplicas, 0)
  t.equal(redis.waitTimeoutMs, 500)
})

t.test('reads a Sentinel list with its master group name and password', async (t) => {
  const { redis } = loadConfig({ REDIS_SENTINELS: 's1:26379, 10.0.0.2:26380,[::1]:26381', REDIS_SENTINEL_PASSWORD: 'sentinel-secret' })
  t.same(redis.topology, {
    kind: 'sentinel',
    name: 'mymaster',
    sentinelPassword: 'sentinel-secret',
    sentinels: [{ host: 's1', port: 26379 }, { host: '10.0.0.2', port: 26380 }, { host: '::1', port: 26381 }]
  })
  t.match(loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'rotor-primary' }).redis.topology, { name: 'rotor-primary' })
})

t.test('reads a Cluster seed list', async (t) => {
  t.same(loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' }).redis.topology,
    { kind: 'cluster', nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }] })
})

t.test('reads a Cluster NAT map into ioredis natMap, keyed as the Cluster announces nodes', async (t) => {
  const { redis } = loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000', REDIS_CLUSTER_NAT_MAP: ' 127.0.0.1:7000=127.0.0.2:8000, [::1]:7001=edge.example:9000 ' })
  const natMap = { '127.0.0.1:7000': { host: '127.0.0.2', port: 8000 }, '::1:7001': { host: 'edge.example', port: 9000 } }
  t.same(redis.topology, { kind: 'cluster', nodes: [{ host: 'n1', port: 7000 }], natMap })
  const client = createRedisClient(redis, 'commands') as Cluster
  t.teardown(() => client.disconnect())
  t.same(client.options.natMap, natMap, 'handed to the Cluster client')
  t.notOk('natMap' in loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000' }).redis.topology, 'no map unless set')
})

t.test('refuses a bad NAT map at boot with one line naming the variable and the entry', async (t) => {
  for (const bad of ['127.0.0.1:7000', '127.0.0.1:7000=', '=127.0.0.2:8000', 'a:1=b:2=c:3', '127.0.0.1=127.0.0.2:8000', 'a:1=b:70000', 'a b:1=c:2']) {
    const message = configError(t, { REDIS_CLUSTER_NODES: 'n1:7000', REDIS_CLUSTER_NAT_MAP: `ok:1=ok:2,${bad}` })
    t.match(message, 'REDIS_CLUSTER_NAT_MAP', `${JSON.stringify(bad)} names the variable`)
    t.notMatch(message, /\n/, 'one line')
  }
  t.match(configError(t, { REDIS_CLUSTER_NODES: 'n1:7000', REDIS_CLUSTER_NAT_MAP: 'a:1=b:2,a:1=c:3' }), 'names "a:1" twice')
  t.match(configError(t, { REDIS_CLUSTER_NODES: 'n1:7000', REDIS_CLUSTER_NAT_MAP: ' , ' }), 'at least one')
  t.match(configError(t, { REDIS_CLUSTER_NAT_MAP: 'a:1=b:2' }), 'REDIS_CLUSTER_NAT_MAP applies to a Redis Cluster only')
})

t.test('reads the local nodes of a Cluster region, refusing them without a Cluster or with a bad entry', async (t) => {
  const cluster = { REDIS_CLUSTER_NODES: 'n1:7000' }
  const topology = loadConfig({ ...cluster, REDIS_LOCAL_NODES: ' a:7001 ,[::1]:7002' }).redis.topology
  t.same(topology.kind === 'cluster' ? topology.localNodes : undefined, [{ host: 'a', port: 7001 }, { host: '::1', port: 7002 }])
  t.notOk('localNodes' in loadConfig(cluster).redis.topology, 'unset: every read goes to the master')
  for (const bad of ['a', 'a:', 'a:70000', ' , ']) t.match(configError(t, { ...cluster, REDIS_LOCAL_NODES: bad }), 'REDIS_LOCAL_NODES', `${JSON.stringify(bad)} names the variable`)
  t.match(configError(t, { REDIS_LOCAL_NODES: 'a:1' }), 'REDIS_LOCAL_NODES applies to a Redis Cluster only')
})

t.test('sends only email index GETs to a local node, known by its address or the one the Cluster announces for it', async (t) => {
  const local = localAddresses([{ host: '127.0.0.1', port: 7101 }], { 'node-b:6379': { host: '127.0.0.1', port: 7101 }, 'node-c:6379': { host: '127.0.0.9', port: 1 } })
  t.same([...local].sort(), ['127.0.0.1:7101', 'node-b:6379'], 'the announced name of a local node counts, another node\'s does not')
  const route = localReadRoute(local, 'p:email:')
  // The slot's nodes as ioredis hands them over: master first.
  const node = (host: string, port: number) => ({ options: { host, port } }) as unknown as Redis
  const [master, localReplica, announcedReplica] = [node('10.0.0.1', 6379), node('127.0.0.1', 7101), node('node-b', 6379)]
  const command = (name: string, key: string) => ({ name, getKeys: () => [key] })
  t.equal(route([master, localReplica], command('get', 'p:email:abc')), localReplica, 'the email lookup reads locally')
  t.equal(route([master, announcedReplica], command('get', 'p:email:abc')), announcedReplica, 'under its announced name too')
  t.equal(route([master, node('10.0.0.2', 6379)], command('get', 'p:email:abc')), master, 'no local node: the master')
  t.equal(route([master, localReplica], command('hmget', 'p:{u}:user')), master, 'a user record: the master')
  t.equal(route([master, localReplica], command('get', 'p:{u}:user')), master, 'another key: the master')
  t.equal(route([master, localReplica], command('mget', 'p:email:abc')), master, 'the fallback read: the master')
  // Right after a MOVED ioredis may have no connection for the slot's new master yet (src/redis-local-reads.ts).
  t.equal(route([undefined, localReplica], command('get', 'p:email:abc')), localReplica, 'a missing master: still the local node')
  t.equal(route([undefined, node('10.0.0.2', 6379)], command('get', 'p:email:abc')), undefined, 'or nothing, for ioredis to pick')
  t.equal(route([undefined], command('hmget', 'p:{u}:user')), undefined, 'for any command')
})

t.test('finds the connection for an announced address that a MOVED left unmapped in the slot map', async (t) => {
  const natMap = { '10.0.0.1:6379': { host: '127.0.0.2', port: 7001 } }
  t.equal(connectedAddress('10.0.0.1:6379', natMap), '127.0.0.2:7001', 'announced: its mapped address')
  t.equal(connectedAddress('127.0.0.2:7001', natMap), '127.0.0.2:7001', 'already mapped: as it is')
  t.equal(connectedAddress('10.0.0.1:6379', undefined), '10.0.0.1:6379', 'no NAT map: as it is')
  t.equal(connectedAddress('a:1', (key) => key === 'a:1' ? { host: 'b', port: 2 } : null), 'b:2', 'a NAT map function too')
})

t.test('reads the home slot ranges of a Cluster region, refusing anything but ranges within 0-16383', async (t) => {
  const cluster = { REDIS_CLUSTER_NODES: 'n1:7000' }
  t.same(loadConfig({ ...cluster, REDIS_HOME_SLOTS: ' 0-5460 , 16383,100-100' }).redis.homeSlots, [[0, 5460], [16383, 16383], [100, 100]])
  t.equal(loadConfig(cluster).redis.homeSlots, undefined, 'unset: any slot')
  for (const bad of ['5460-0', '0-16384', '16384', '-1', 'a-b', '0-', '0..5460', '1-2-3']) {
    const message = configError(t, { ...cluster, REDIS_HOME_SLOTS: `0-10,${bad}` })
    t.match(message, `REDIS_HOME_SLOTS entry ${JSON.stringify(bad)}`, `${JSON.stringify(bad)} is named`)
    t.notMatch(message, /\n/, 'one line')
  }
  t.match(configError(t, { ...cluster, REDIS_HOME_SLOTS: ',' }), 'at least one slot range')
  t.match(configError(t, { REDIS_HOME_SLOTS: '0-5460' }), 'REDIS_HOME_SLOTS applies to a Redis Cluster only')
})

t.test('refuses Sentinels and Cluster together, naming both', async (t) => {
  const message = configError(t, { REDIS_SENTINELS: 's1:26379', REDIS_CLUSTER_NODES: 'n1:7000' })
  t.match(message, /REDIS_SENTINELS and REDIS_CLUSTER_NODES are exclusive/)
})

t.test('refuses entries that are not host:port, naming the variable and the entry', async (t) => {
  for (const variable of ['REDIS_SENTINELS', 'REDIS_CLUSTER_NODES']) {
    for (const bad of ['redis1', 'redis1:0', 'redis1:70000', ':6379', 'redis1:port', 'a b:1', '::1:26379']) {
      const message = configError(t, { [variable]: `ok-host:1,${bad}` })
      t.match(message, variable, `${JSON.stringify(bad)} names ${variable}`)
      t.notMatch(message, /\n/, 'one line')
    }
    t.match(configError(t, { [variable]: ' , ' }), `${variable} must list at least one host:port`)
  }
})

t.test('refuses a database number with a Cluster, which has only database 0', async (t) => {
  t.match(configError(t, { REDIS_CLUSTER_NODES: 'n1:7000', REDIS_URL: 'redis://:pw@ignored:6379/2' }), 'REDIS_URL')
  t.ok(loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000', REDIS_URL: 'redis://:pw@ignored:6379/0' }))
})

t.test('refuses a WAIT timeout that the command timeout would cut short', async (t) => {
  t.match(configError(t, { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '1000' }), 'REDIS_WAIT_TIMEOUT_MS')
  t.equal(loadConfig({ REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '250' }).redis.waitReplicas, 1)
  t.ok(loadConfig({ REDIS_WAIT_TIMEOUT_MS: '5000' }), 'irrelevant while WAIT is off')
  t.match(configError(t, { REDIS_WAIT_REPLICAS: 'two' }), 'REDIS_WAIT_REPLICAS')
  t.match(configError(t, { REDIS_WAIT_TIMEOUT_MS: '0' }), 'REDIS_WAIT_TIMEOUT_MS', '0 would make WAIT block forever')
  t.match(configError(t, { REDIS_SENTINELS: 's1:1', REDIS_SENTINEL_NAME: 'my master' }), 'REDIS_SENTINEL_NAME')
})

t.test('takes the data nodes\' credentials, TLS and database from REDIS_URL behind Sentinels', async (t) => {
  const { redis } = loadConfig({ REDIS_URL: 'rediss://rotor:p%40ss@ignored:1/3', REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_PASSWORD: 'sp' })
  const client = createRedisClient(redis, 'commands') as Redis
  t.teardown(() => client.disconnect())
  t.match(client.options, {
    sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster', role: 'master', sentinelPassword: 'sp', failoverDetector: true,
    username: 'rotor', password: 'p@ss', db: 3, tls: {}, enableTLSForSentinelMode: true,
    enableOfflineQueue: false, commandTimeout: 1000, connectTimeout: 2000, lazyConnect: true
  })
})

t.test('routes every Cluster command to a master, with the same timeouts and no offline queue', async (t) => {
  const { redis } = loadConfig({ REDIS_URL: 'redis://:secret@ignored:1', REDIS_CLUSTER_NODES: 'n1:7000' })
  const client = createRedisClient(redis, 'commands') as Cluster
  t.teardown(() => client.disconnect())
  t.match(client.options, {
    scaleReads: 'master', enableOfflineQueue: false, lazyConnect: true,
    redisOptions: { password: 'secret', commandTimeout: 1000, connectTimeout: 2000 }
  })
})

t.test('documents every configuration variable, Redis ones included, in the README configuration table', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const names = Object.keys(EnvSchema.properties)
  t.ok(names.filter((name) => name.startsWith('REDIS_')).length >= 10)
  for (const name of names) t.match(readme, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `${name} has a row`)
})
