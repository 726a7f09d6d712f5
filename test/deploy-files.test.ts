// docker-compose.yml cannot run here (no Docker engine), so its structure is checked against the code and against the
// files under deploy/ it mounts: the same names must line up everywhere (services, Sentinel group, ports, paths).
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { EnvSchema, loadConfig } from '../src/config.js'

type Service = {
  image?: string, build?: string, command?: string[], environment?: Record<string, string>, secrets?: string[], volumes?: string[]
  depends_on?: Record<string, { condition: string }>, healthcheck?: { test?: string[], disable?: boolean }, profiles?: string[], ports?: string[]
  stop_grace_period?: string
}
// Compose resolves YAML merge keys (`<<: *rotor`), so the test does too.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> }
const { services } = compose
const haproxyCfg = readFileSync('deploy/haproxy.cfg', 'utf8')
const rotors = Object.keys(services).filter((name) => /^rotor-\d+$/.test(name))
const rotorEnv = services['rotor-1']!.environment!
/** The value compose would use for `${VAR:-default}`, with a stand-in for the mandatory secret. */
const interpolated = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) =>
  [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\{[A-Z_]+:\?[^}]*\}/g, 'a-refresh-secret-of-at-least-32-characters')]))
const port = (address: string) => Number(/:(\d+)$/.exec(address)?.[1])

t.test('runs three Rotor instances, a Redis primary and replica, three Sentinels, HAProxy, Prometheus and k6', async (t) => {
  t.same(rotors, ['rotor-1', 'rotor-2', 'rotor-3'])
  for (const name of ['redis-primary', 'redis-replica', 'sentinel-1', 'sentinel-2', 'sentinel-3', 'haproxy', 'prometheus', 'k6', 'k6-seed']) {
    t.ok(services[name], name)
  }
})

t.test('configures every instance identically, with the same secrets, only with variables the config schema knows', async (t) => {
  const known = new Set(Object.keys(EnvSchema.properties))
  for (const name of Object.keys(rotorEnv)) t.ok(known.has(name), `${name} is a Rotor variable`)
  for (const name of rotors) {
    t.same(services[name]!.environment, rotorEnv, `${name}: same environment (one key set, secret and key prefix)`)
    t.same(services[name]!.secrets, ['jwt_keys'], `${name}: same signing keys`)
  }
  t.equal(rotorEnv.JWT_KEYS_FILE, '/run/secrets/jwt_keys', 'the keys come from the secret')
  const config = loadConfig(interpolated(rotorEnv)) // valid as compose would pass it
  t.equal(config.env, 'production')
  t.same(config.redis.topology, { kind: 'sentinel', name: 'mymaster', sentinelPassword: undefined, sentinels: ['sentinel-1', 'sentinel-2', 'sentinel-3'].map((host) => ({ host, port: 26379 })) })
  t.equal(config.redis.waitReplicas, 1, 'durable mode: one replica acknowledges each session write')
  t.equal(config.trustProxy, 1, 'one proxy hop: HAProxy')
})

t.test('runs Redis with persistence and without eviction, the replica following the primary', async (t) => {
  for (const name of ['redis-primary', 'redis-replica']) {
    const command = services[name]!.command!.join(' ')
    t.match(command, /--appendonly yes/, `${name}: AOF persistence`)
    t.match(command, /--maxmemory-policy noeviction/, `${name}: no eviction`)
    t.match(command, new RegExp(`--replica-announce-ip ${name}\\b`), `${name}: announces its service name`)
  }
  t.match(services['redis-replica']!.command!.join(' '), /--replicaof redis-primary 6379/)
})

t.test('the Sentinels monitor the group Rotor asks for, with a majority quorum', async (t) => {
  const template = readFileSync('deploy/sentinel.conf', 'utf8')
  const [, group, host, redisPort, quorum] = /^sentinel monitor (\S+) (\S+) (\d+) (\d+)$/m.exec(template) ?? []
  const sentinels = rotorEnv.REDIS_SENTINELS!.split(',')
  t.equal(group, rotorEnv.REDIS_SENTINEL_NAME)
  t.equal(`${host}:${redisPort}`, 'redis-primary:6379')
  t.equal(Number(quorum), Math.floor(sentinels.length / 2) + 1)
  for (const address of sentinels) {
    const [name, sentinelPort] = address.split(':')
    const sentinel = services[name!]!
    t.equal(sentinelPort, '26379')
    t.equal(sentinel.environment?.ANNOUNCE_HOSTNAME, name, `${name} announces its own name`)
    t.ok(sentinel.volumes?.some((v) => v.startsWith('./deploy/sentinel.conf:') && v.endsWith(':ro')), `${name} copies the template`)
    t.match(sentinel.command!.join(' '), /test -f \/data\/sentinel\.conf \|\| \{ cp /, `${name} keeps its rewritten copy across restarts`)
    t.match(sentinel.healthcheck!.test!.join(' '), new RegExp(`get-master-addr-by-name ${group}\\b`))
  }
})

t.test('HAProxy runs deploy/haproxy.cfg with one server per instance, found through the environment', async (t) => {
  const haproxy = services.haproxy!
  t.ok(haproxy.volumes?.includes('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro'))
  const servers = [...haproxyCfg.matchAll(/^\s*server (\S+) "\$\{(\w+)\}"/gm)]
  t.same(servers.map((m) => m[1]), rotors, 'backend server names are the service names')
  for (const [, name, variable] of servers) t.equal(haproxy.environment?.[variable!], `${name}:${rotorEnv.PORT}`)
  t.same(haproxy.ports, [`3000:${port(haproxy.environment!.LB_BIND!)}`])
  t.match(haproxyCfg, /http-check send meth GET uri \/readyz/, 'health checks use readiness')
})

t.test('the balancer replays only requests Rotor makes safe to replay', async (t) => {
  t.match(haproxyCfg, /^\s*retry-on conn-failure empty-response$/m, 'not response-timeout, not 5xx')
  t.match(haproxyCfg, /^\s*option redispatch 1$/m, 'every retry goes to another instance')
  t.match(haproxyCfg, /^\s*acl read method GET HEAD$/m)
  t.match(haproxyCfg, /^\s*acl refresh path \/auth\/refresh$/m)
  t.match(haproxyCfg, /^\s*http-request disable-l7-retry unless read \|\| post refresh$/m)
  // A replayed refresh reaches Rotor at most `timeout server` after the first attempt rotated it: inside the grace window.
  const serverTimeoutS = Number(/^\s*timeout server (\d+)s/m.exec(haproxyCfg)?.[1])
  t.ok(serverTimeoutS < Number(EnvSchema.properties.REFRESH_REUSE_GRACE_SECONDS.default), 'timeout server < REFRESH_REUSE_GRACE_SECONDS')
})

t.test('HAProxy waits for argon2 work on the password routes longer than Rotor can take to answer them', async (t) => {
  const longer = /^\s*http-request set-timeout server (\d+)s if post password_work$/m.exec(haproxyCfg)
  t.ok(longer !== null, 'a longer server timeout for the password routes')
  t.match(haproxyCfg, /^\s*acl password_work path \/auth\/token \/auth\/register \/auth\/password$/m)
  const defaults = (name: keyof typeof EnvSchema.properties) => Number((EnvSchema.properties[name] as { default: string }).default)
  // Five Redis round trips at their timeout, plus every queued argon2 job ahead at a pessimistic 250 ms (busy host).
  const slowestMs = 5 * defaults('REDIS_COMMAND_TIMEOUT_MS') + (defaults('PASSWORD_HASH_QUEUE_MAX') + 1) * 250
  t.ok(Number(longer?.[1]) * 1000 > slowestMs, `${longer?.[1]} s > ${slowestMs} ms`)
  const clientS = Number(/^\s*timeout client (\d+)s/m.exec(haproxyCfg)?.[1])
  t.ok(clientS > Number(longer?.[1]), 'the client side waits longer than the server side')
})

t.test('an instance stopping drains longer than HAProxy takes to take it out, and compose waits for that', async (t) => {
  const check = /default-server .*inter (\d+)s .*fall (\d+)/.exec(haproxyCfg)!
  const drainS = Number(rotorEnv.SHUTDOWN_DRAIN_SECONDS)
  t.ok(drainS > Number(check[1]) * Number(check[2]), `${drainS} s > ${check[2]} failed checks ${check[1]} s apart`)
  for (const name of rotors) t.ok(parseInt(services[name]!.stop_grace_period!) > drainS, `${name}: stop_grace_period`)
})

t.test('Prometheus scrapes every instance\'s metrics port and HAProxy\'s', async (t) => {
  t.ok(services.prometheus!.volumes?.includes('./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro'))
  const prometheus = parse(readFileSync('deploy/prometheus.yml', 'utf8')) as { scrape_configs: Array<{ job_name: string, static_configs: Array<{ targets: string[] }> }> }
  const targets = Object.fromEntries(prometheus.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]))
  t.same(targets.rotor, rotors.map((name) => `${name}:${rotorEnv.METRICS_PORT}`))
  t.same(targets.haproxy, [`haproxy:${port(services.haproxy!.environment!.LB_METRICS_BIND!)}`])
})

t.test('k6 runs under its own profile through the balancer, on a file seeded just before with the instances\' settings', async (t) => {
  const k6 = services.k6!
  const seed = services['k6-seed']!
  t.same(k6.profiles, ['k6'])
  t.same(seed.profiles, ['k6'])
  t.equal(k6.environment?.BASE_URL, `http://haproxy:${port(services.haproxy!.environment!.LB_BIND!)}`)
  t.same(k6.depends_on, { haproxy: { condition: 'service_healthy' }, 'k6-seed': { condition: 'service_completed_successfully' } })
  t.same({ ...seed.environment, NODE_ENV: 'production' }, rotorEnv, 'seeded with the same keys, secret, Redis and prefix')
  // The seed file goes into a volume the k6 container mounts, at the path k6 reads.
  const out = seed.command![seed.command!.indexOf('--out') + 1]!
  const [seedVolume, seedDir] = seed.volumes![0]!.split(':')
  t.equal(out, `${seedDir}/tokens.json`)
  t.ok(k6.volumes?.includes(`${seedVolume}:${k6.environment!.TOKENS_FILE!.replace(/\/tokens\.json$/, '')}:ro`))
  t.ok(k6.volumes?.includes('./k6:/scripts:ro'))
  const script = /\/scripts\/\$\{K6_SCRIPT:-([\w.]+)\}/.exec(k6.command!.join(' '))?.[1]
  t.ok(script !== undefined && existsSync(`k6/${script}`), `the default script k6/${script} exists`)
  t.notOk(Object.values(services).some((s) => s.profiles === undefined && Object.keys(s.depends_on ?? {}).some((d) => services[d]!.profiles)), 'the default stack needs no profile')
})

t.test('waits on health only for services that report it', async (t) => {
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      if (condition !== 'service_healthy') continue
      const target = services[dependency]!
      t.ok(target.healthcheck?.test !== undefined || target.build !== undefined, `${name} → ${dependency} has a healthcheck (the Dockerfile's for built images)`)
    }
  }
})

t.test('builds an image whose command exists in the build output', async (t) => {
  const dockerfile = readFileSync('Dockerfile', 'utf8')
  const cmd = /CMD \["node", "([^"]+)"\]/.exec(dockerfile)?.[1]
  t.equal(cmd, 'dist/server.js')
  t.ok(existsSync(cmd!), 'npm test builds first, so the entry point is there')
  t.match(dockerfile, /HEALTHCHECK .*\/readyz/)
})
