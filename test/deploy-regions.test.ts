// docker-compose.regions.yml cannot run here (no Docker engine), so its structure is checked against the layout the
// region tests run (scripts/regions: home slots, failover candidates, node settings) and against the code (every
// variable a Rotor variable, every instance's configuration valid).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { candidateRegion, REGIONS, SHARD_SLOTS } from '../scripts/regions/region-cluster.js'
import { EnvSchema, loadConfig } from '../src/config.js'

type Service = {
  image?: string, command?: string[], environment?: Record<string, string>, secrets?: string[], volumes?: string[]
  depends_on?: Record<string, { condition: string }>, ports?: string[], networks?: string[]
}
const { services } = parse(readFileSync('docker-compose.regions.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> }
const formScript = readFileSync('deploy/regions/form-cluster.sh', 'utf8')
const nodeName = (region: number, shard: number) => `redis-r${region}-s${shard}`
const nodes = REGIONS.flatMap((region) => REGIONS.map((shard) => nodeName(region, shard)))
const instancesOf = (region: number) => Object.keys(services).filter((name) => name.startsWith(`rotor-r${region}-`))
/** The value compose would use for `${VAR:-default}`, with a stand-in for the mandatory secret. */
const interpolated = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) =>
  [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\{[A-Z_]+:\?[^}]*\}/g, 'a-refresh-secret-of-at-least-32-characters')]))

t.test('each region runs three data nodes, three Rotor instances and its own HAProxy', async (t) => {
  t.same(Object.keys(services).filter((name) => name.startsWith('redis-')).sort(), [...nodes].sort())
  for (const region of REGIONS) {
    t.same(instancesOf(region), [1, 2, 3].map((i) => `rotor-r${region}-${i}`), `region ${region}: instances`)
    const haproxy = services[`haproxy-r${region}`]!
    t.ok(haproxy.volumes?.includes('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro'), 'the single-region balancer file')
    t.same([1, 2, 3].map((i) => haproxy.environment?.[`ROTOR_${i}_ADDR`]), instancesOf(region).map((name) => `${name}:3000`),
      `region ${region}: its balancer sends to its own instances only`)
    t.same(haproxy.ports, [`300${region}:8080`])
  }
})

t.test('every node runs the settings the region tests measured, and exactly one replica per shard may fail over', async (t) => {
  for (const region of REGIONS) {
    for (const shard of REGIONS) {
      const node = services[nodeName(region, shard)]!
      const command = node.command!.join(' ')
      for (const setting of ['--appendonly yes', '--maxmemory-policy noeviction', '--cluster-enabled yes', '--cluster-replica-validity-factor 0',
        '--cluster-allow-replica-migration no', '--cluster-require-full-coverage no', '--min-replicas-to-write 1', '--min-replicas-max-lag 1',
        '--cluster-announce-hostname "$$NODE_NAME"', '--cluster-preferred-endpoint-type hostname', '--cluster-replica-no-failover "$$NO_FAILOVER"']) {
        t.ok(command.includes(setting), `${nodeName(region, shard)}: ${setting}`)
      }
      t.equal(node.environment?.NODE_NAME, nodeName(region, shard), 'announces its own service name')
      const candidate = region === shard || region === candidateRegion(shard)
      t.equal(node.environment?.NO_FAILOVER, candidate ? 'no' : 'yes',
        `${nodeName(region, shard)}: ${region === shard ? 'the master' : candidate ? 'the failover candidate' : 'never a candidate'}`)
      t.ok(node.volumes?.includes(`${nodeName(region, shard)}-data:/data`), 'its own volume')
    }
  }
})

t.test('the formation gives each region\'s master its home slots and each replica its shard\'s master', async (t) => {
  const listed = /^NODES="([^"]+)"$/m.exec(formScript)?.[1]?.split(' ')
  t.same(listed, nodes, 'the script forms exactly the compose file\'s nodes')
  for (const region of REGIONS) {
    const [from, to] = SHARD_SLOTS.get(region)!
    t.match(formScript, new RegExp(`^HOME_SLOTS_${region}="${from} ${to}"$`, 'm'), `region ${region}: slots ${from}-${to}`)
  }
  t.match(formScript, /cli "redis-r\$region-s\$region" cluster addslotsrange \$slots/, 'to the region\'s master, redis-r<r>-s<r>')
  t.match(formScript, /master_id=\$\(cli "redis-r\$shard-s\$shard" cluster myid\)\n\s+cli "redis-r\$region-s\$shard" cluster replicate "\$master_id"/,
    'each redis-r<r>-s<s> follows the master of shard s')
  const form = services['cluster-form']!
  t.same(Object.keys(form.depends_on!).sort(), [...nodes].sort(), 'formed once every node is up')
  t.ok(form.volumes?.includes('./deploy/regions/form-cluster.sh:/deploy/form-cluster.sh:ro'))
})

t.test('every instance shares one configuration and adds only its region\'s seeds, local nodes and home slots', async (t) => {
  const known = new Set(Object.keys(EnvSchema.properties))
  const first = services['rotor-r1-1']!.environment!
  for (const region of REGIONS) {
    for (const name of instancesOf(region)) {
      const service = services[name]!
      const env = service.environment!
      for (const variable of Object.keys(env)) t.ok(known.has(variable), `${name}: ${variable} is a Rotor variable`)
      const { REDIS_CLUSTER_NODES: seeds, REDIS_LOCAL_NODES: local, REDIS_HOME_SLOTS: home, ...shared } = env
      const { REDIS_CLUSTER_NODES: _s, REDIS_LOCAL_NODES: _l, REDIS_HOME_SLOTS: _h, ...firstShared } = first
      t.same(shared, firstShared, `${name}: the same key set, secret, issuer and prefix as every other instance`)
      t.same(seeds!.split(','), REGIONS.map((shard) => `${nodeName(region, shard)}:6379`), `${name}: seeds in its own region`)
      t.equal(local, seeds, `${name}: its local nodes are its region's three`)
      t.equal(home, SHARD_SLOTS.get(region)!.join('-'), `${name}: its region's home slots`)
      t.same(service.secrets, ['jwt_keys'])
      t.equal(service.depends_on?.['cluster-form']?.condition, 'service_completed_successfully', 'starts on a formed Cluster')
      const config = loadConfig(interpolated(env))
      t.equal(config.redis.topology.kind, 'cluster', `${name}: a valid Cluster configuration`)
    }
  }
})
