// Scenario 9 (issue 13): Rotor's /me beside the usual Fastify way of keeping users logged in, a server-side session in
// Redis (@fastify/session + connect-redis, bench/peer-session-server.ts), in two set-ups: its defaults (every request
// writes the session back, as its README starts users with) and one in its favour (no write on a read). The same
// distinct users (one session or token each), the same Fastify, the same Redis server, the same core and the same load
// generator, in alternating rounds so a noisy moment hits every side. Rotor answers from its verified-token cache
// (warm); the peer reads every request's session from Redis, which is what a server-side session is.
import { join } from 'node:path'
import { freePort } from '../../src/redis-server.js'
import { startChild, type Child } from '../child.js'
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { cpuPerRequest, median, ratio } from '../stats.js'
import type { BenchResults, Phase } from '../types.js'

type SetUp = 'favoured' | 'defaults'
interface Peer { child: Child, url: string, cookiesFile: string }

async function startPeer (ctx: BenchContext, setUp: SetUp): Promise<Peer> {
  const port = await freePort()
  const child = startChild('./peer-session-server.ts', {
    core: ctx.pinning.serverCore, env: { REDIS_URL: ctx.redisProcess.url, PORT: String(port), PEER_SESSION_CONFIG: setUp }
  })
  await child.ready
  return { child, url: `http://127.0.0.1:${port}`, cookiesFile: join(ctx.workDir, `peer-session-cookies-${setUp}.txt`) }
}

export async function runPeerSession (ctx: BenchContext): Promise<BenchResults['peerSession']> {
  const { bench, seed } = ctx
  const peers: Partial<Record<SetUp, Peer>> = {}
  try {
    for (const setUp of ['favoured', 'defaults'] as const) {
      const peer = peers[setUp] = await startPeer(ctx, setUp)
      ctx.log(`scenario 9: ${seed.users.length} peer sessions (@fastify/session + connect-redis, ${setUp}), created through the library`)
      await peer.child.call('seed', { users: seed.users.map((u) => ({ userId: u.userId, email: u.email })), file: peer.cookiesFile })
    }
    const { favoured, defaults } = peers as Record<SetUp, Peer>
    const tokensFile = writeLines(ctx, 'peer-scenario-access-tokens', seed.users.map((u) => u.accessToken))
    const common = { connections: bench.connections, seconds: bench.seconds }
    const rotor = { ...common, url: ctx.servers.a.url, kind: 'me' as const, valuesFile: tokensFile }
    const asPeer = (peer: Peer) => ({ ...common, url: peer.url, kind: 'session-me' as const, valuesFile: peer.cookiesFile })
    // Scenario 1's cold phase filled Rotor's cache with other tokens: one pass over every user's token makes each a
    // hit again; the peers get the same pass (JIT warm-up; their sessions live in Redis either way).
    ctx.log('scenario 9: one pass over every user on each side (Rotor: cache priming; the peers: warm-up)')
    const primes = [
      await measurePhase(ctx, { ...rotor, amount: seed.users.length, seconds: 3600 }),
      await measurePhase(ctx, { ...asPeer(favoured), amount: seed.users.length, seconds: 3600 }, favoured.child.pid),
      await measurePhase(ctx, { ...asPeer(defaults), amount: seed.users.length, seconds: 3600 }, defaults.child.pid)
    ]
    if (primes.some((p) => p.ok !== seed.users.length)) {
      throw new Error(`scenario 9 priming: Rotor and the peers accepted ${primes.map((p) => p.ok).join(', ')} of ${seed.users.length}`)
    }
    const rounds: Array<{ rotor: Phase, peer: Phase, peerDefaults: Phase }> = []
    for (let round = 1; round <= bench.rounds; round++) {
      ctx.log(`scenario 9: round ${round}/${bench.rounds}: Rotor /me warm`)
      const rotorPhase = await measurePhase(ctx, rotor)
      ctx.log(`scenario 9: round ${round}/${bench.rounds}: peer /me in its favour (session read from Redis)`)
      const peerPhase = await measurePhase(ctx, asPeer(favoured), favoured.child.pid)
      ctx.log(`scenario 9: round ${round}/${bench.rounds}: peer /me at its defaults (session read and written back)`)
      rounds.push({ rotor: rotorPhase, peer: peerPhase, peerDefaults: await measurePhase(ctx, asPeer(defaults), defaults.child.pid) })
    }
    // Each comparison reports its own median round.
    const pick = (side: 'peer' | 'peerDefaults') => {
      const ratios = rounds.map((r) => ratio(r.rotor.rps, r[side].rps))
      const round = rounds[ratios.indexOf(median(ratios))]!
      return { round, ratios, ratio: ratio(round.rotor.rps, round[side].rps), ratioByCpu: ratio(cpuPerRequest(round[side]), cpuPerRequest(round.rotor)) }
    }
    const inFavour = pick('peer')
    const atDefaults = pick('peerDefaults')
    return {
      sessions: seed.users.length,
      rotorWarm: inFavour.round.rotor,
      peer: inFavour.round.peer,
      rounds: rounds.map((r, i) => ({
        rotorRps: r.rotor.rps, peerRps: r.peer.rps, rotorVsPeer: inFavour.ratios[i]!, peerDefaultsRps: r.peerDefaults.rps, rotorVsPeerDefaults: atDefaults.ratios[i]!
      })),
      ratio: inFavour.ratio,
      ratioByCpu: inFavour.ratioByCpu,
      defaults: { rotorWarm: atDefaults.round.rotor, peer: atDefaults.round.peerDefaults, ratio: atDefaults.ratio, ratioByCpu: atDefaults.ratioByCpu }
    }
  } finally {
    for (const peer of Object.values(peers)) {
      await peer.child.call('clear', null).catch(() => undefined)
      await peer.child.stop()
    }
  }
}
