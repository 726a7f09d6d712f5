// Scenario 9 (issue 13): Rotor's /me beside the usual Fastify way of keeping users logged in, a server-side session in
// Redis (@fastify/session + connect-redis, bench/peer-session-server.ts): the same distinct users (one session or
// token each), the same Fastify, the same Redis server, the same core and the same load generator, in alternating
// rounds so a noisy moment hits both sides. Rotor answers from its verified-token cache (warm); the peer reads every
// request's session from Redis, which is what a server-side session is.
import { join } from 'node:path'
import { freePort } from '../../src/redis-server.js'
import { startChild } from '../child.js'
import { measurePhase, writeLines, type BenchContext } from '../context.js'
import { cpuPerRequest, median, ratio } from '../stats.js'
import type { BenchResults, Phase } from '../types.js'

export async function runPeerSession (ctx: BenchContext): Promise<BenchResults['peerSession']> {
  const { bench, seed } = ctx
  const port = await freePort()
  const peer = startChild('./peer-session-server.ts', { core: ctx.pinning.serverCore, env: { REDIS_URL: ctx.redisProcess.url, PORT: String(port) } })
  try {
    await peer.ready
    const peerUrl = `http://127.0.0.1:${port}`
    const cookiesFile = join(ctx.workDir, 'peer-session-cookies.txt')
    ctx.log(`scenario 9: ${seed.users.length} peer sessions (@fastify/session + connect-redis), created through the library`)
    await peer.call('seed', { users: seed.users.map((u) => ({ userId: u.userId, email: u.email })), file: cookiesFile })
    const tokensFile = writeLines(ctx, 'peer-scenario-access-tokens', seed.users.map((u) => u.accessToken))
    const rotor = { url: ctx.servers.a.url, kind: 'me' as const, valuesFile: tokensFile, connections: bench.connections, seconds: bench.seconds }
    const other = { url: peerUrl, kind: 'session-me' as const, valuesFile: cookiesFile, connections: bench.connections, seconds: bench.seconds }
    // Scenario 1's cold phase filled Rotor's cache with other tokens: one pass over every user's token makes each a
    // hit again; the peer gets the same pass (JIT warm-up; its sessions live in Redis either way).
    ctx.log('scenario 9: one pass over every user on both (Rotor: cache priming; the peer: warm-up)')
    const rotorPrime = await measurePhase(ctx, { ...rotor, amount: seed.users.length, seconds: 3600 })
    const peerPrime = await measurePhase(ctx, { ...other, amount: seed.users.length, seconds: 3600 }, peer.pid)
    if (rotorPrime.ok !== seed.users.length || peerPrime.ok !== seed.users.length) {
      throw new Error(`scenario 9 priming: Rotor accepted ${rotorPrime.ok}, the peer ${peerPrime.ok} of ${seed.users.length}`)
    }
    const rounds: Array<{ rotor: Phase, peer: Phase }> = []
    for (let round = 1; round <= bench.rounds; round++) {
      ctx.log(`scenario 9: round ${round}/${bench.rounds}: Rotor /me warm`)
      const rotorPhase = await measurePhase(ctx, rotor)
      ctx.log(`scenario 9: round ${round}/${bench.rounds}: peer /me (session read from Redis)`)
      rounds.push({ rotor: rotorPhase, peer: await measurePhase(ctx, other, peer.pid) })
    }
    const ratios = rounds.map((r) => ratio(r.rotor.rps, r.peer.rps))
    const reported = rounds[ratios.indexOf(median(ratios))]!
    return {
      sessions: seed.users.length,
      rotorWarm: reported.rotor,
      peer: reported.peer,
      rounds: rounds.map((r, i) => ({ rotorRps: r.rotor.rps, peerRps: r.peer.rps, rotorVsPeer: ratios[i]! })),
      ratio: ratio(reported.rotor.rps, reported.peer.rps),
      ratioByCpu: ratio(cpuPerRequest(reported.peer), cpuPerRequest(reported.rotor))
    }
  } finally {
    await peer.call('clear', null).catch(() => undefined)
    await peer.stop()
  }
}
