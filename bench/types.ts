// Shapes of what the harness measures and writes to bench/results/latest.json.
import type { Pinning } from './pinning.js'

/** 'hello': the resource server's protected route (GET /hello); its bare route is the same path as the app's. */
export type RequestKind = 'bare' | 'me' | 'hello' | 'free-verify' | 'refresh' | 'login' | 'session-me' | 'bare-post' | 'oidc-refresh'

export interface LatencyMs { p50: number, p99: number, max: number }

/** One load phase as the load generator saw it. rps counts 2xx answers only. */
export interface LoadResult {
  ok: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  seconds: number
  rps: number
  /** Of 2xx answers, in milliseconds (autocannon's histogram has 1 ms resolution). */
  latencyMs: LatencyMs
  /** Of non-2xx answers, where the generator measures them (paced phases). */
  non2xxLatencyMs?: LatencyMs
  loadCpuPercent: number
}

/** A load phase plus the CPU the server side used during it (percent of one core; NaN without /proc). */
export interface Phase extends LoadResult {
  serverCpuPercent: number
  redisCpuPercent: number
  /** Busy time of the server's core not used by the server or Redis (other processes, other tenants); NaN unpinned. */
  serverCoreOtherPercent: number
  /** The same for the load generator's core. */
  loadCoreOtherPercent: number
  /** Time the hypervisor took from the server's core. */
  stealPercent: number
  offeredRate?: number
}

export interface Rate { perSecond: number, operations: number, seconds: number }

export interface VerifierRates {
  joseJwtVerify: number
  fastJwt: number
  rawCryptoVerify: number
  /** The app's own verifier (jose plus Rotor's claim checks), cache off. */
  rotorVerifyNoCache: number
}

export interface Target {
  id: string
  description: string
  measured: number
  threshold: number
  unit: string
  comparison: '>=' | '<=' | '<'
  pass: boolean
}

export interface MemoryVariant {
  userAgentBytes: number
  /** Encoding of the user hash that holds the sessions (listpack or hashtable). */
  familyEncoding: string
  /** used_memory freed by deleting every session (its field in the user hash), per session. */
  usedMemoryDeltaPerSession: number
  /** MEMORY USAGE (SAMPLES 0), mean over the sampled users. */
  memoryUsage: { userHashWith: number, userHashWithout: number, perSession: number, sampledUsers: number }
}

export interface BenchResults {
  version: 1
  startedAt: string
  finishedAt: string
  totalSeconds: number
  note: string
  machine: { cores: number, cpuModel: string, node: string, redis: string, platform: string, loadAverageAtStart: number[], loadAverageAtEnd: number[] }
  pinning: Pinning
  settings: Record<string, string | number | boolean>
  validation: {
    bare: Phase
    warmPrime: Phase
    warm: Phase
    warmHalfRate: Phase
    warmHalfRatePaced: Phase
    cold: Phase
    /** Per round, in order: the bare and warm rates and their ratio (bare and warm above are the median round). */
    rounds: Array<{ bareRps: number, warmRps: number, warmVsBare: number }>
    coldTokens: number
    rawVerify: Rate
    ratios: { warmVsBare: number, coldVsRawVerify: number, coldVsBare: number }
  }
  refresh: {
    app: Phase
    rawEvalsha: Rate & { failures: number, concurrency: number }
    /** One call in flight at a time: a round trip and a write per call, as the app's client sends them. */
    rawEvalshaSerial: Rate & { failures: number, concurrency: number }
    ratio: number
    ratioToSerial: number
    /** The same body to the bare POST route (HTTP and JSON only). */
    barePost: Phase
    /** crypto.sign of an access token's signing input, one core. */
    rawSign: Rate
    /** 1 / (one raw sign + one bare POST + one serial EVALSHA round trip), per second: the limit of a refresh's parts. */
    partsBound: number
    ratioToParts: number
  }
  login: { app: Phase, rawArgon2: Rate & { concurrency: number }, ratio: number }
  /** /me at one paced rate alone, then the same beside a paced login flood far beyond argon2 capacity. */
  loginStorm: StormPair & { niced: StormPair & { nice: number }, loginRate: number, meRate: number }
  /** Half the users on idle instances; the other half while B serves a paced /me load (`underLoad`). */
  revocation: RevocationRun & { underLoad: RevocationRun & { loadRate: number, load: Phase } }
  memory: { users: number, seedUserAgent: MemoryVariant, browserUserAgent: MemoryVariant }
  /** Scenario 6: an account with `sessions` sessions; Redis-side login cost and other users' refresh meanwhile. */
  celebrity: {
    sessions: number
    loginRedisMicros: { oneSession: number, celebrity: number, ratio: number }
    otherRefreshMs: { alone: LatencyMs, meanwhile: LatencyMs, celebrityLogins: number }
    otherRefreshP99Ratio: number
  }
  /** Scenario 7: a resource server with @rotor/verify, its protected route beside a bare one in the same process. */
  resourceServer: {
    bare: Phase
    warmPrime: Phase
    warm: Phase
    cold: Phase
    /** The same tokens as the reported cold round through /bench/free-verify: one signature check and nothing else. */
    freeVerify: Phase
    rounds: Array<{ bareRps: number, warmRps: number, warmVsBare: number }>
    /** Alternating free-verify and cold rounds, each on tokens of its own; the round with the median ratio is reported. */
    coldRounds: Array<{ freeVerifyRps: number, coldRps: number, coldVsFreeVerify: number }>
    coldTokens: number
    rawVerify: Rate
    /** 1 / (one raw verify + one bare request), per second: what one core could do cold with a free verifier. */
    coldBound: number
    /** warmVsBareByCpu: bare's server CPU per request over warm's (info: holds even where the load generator limits the rates). */
    /** coldVsFreeVerify: cold over a free verifier behind the same HTTP stack, in situ (info: the practical ceiling). */
    ratios: { warmVsBare: number, coldVsBound: number, coldVsFreeVerify: number, warmVsBareByCpu: number }
  }
  /** Scenario 8: logout-all on one of two Rotor instances until each of three resource servers rejects the token. */
  propagation: {
    resourceServers: number
    users: number
    /** One per user and resource server. */
    samples: number
    timeouts: number
    /** Samples where the resource server still answered 200 over HTTP after its verifier had rejected the token. */
    acceptedAfterRejection: number
    /** From the logout-all's 204 reaching the client to the resource server's verifier rejecting the token (negative: before). */
    fromResponseMs: LatencyMs
    /** The same from sending the logout-all. */
    fromRequestMs: LatencyMs
    logoutAllMs: LatencyMs
    detection: string
  }
  /**
   * Scenario 9: Rotor's /me warm against @fastify/session + connect-redis, same users, alternating rounds (median
   * round of each comparison). `peer`, `ratio`, `ratioByCpu`: the peer set up in its favour (no write on a read);
   * `defaults`: the peer at the library's defaults (every request writes the session back).
   */
  peerSession: {
    sessions: number
    rotorWarm: Phase
    peer: Phase
    rounds: Array<{ rotorRps: number, peerRps: number, rotorVsPeer: number, peerDefaultsRps: number, rotorVsPeerDefaults: number }>
    ratio: number
    /** The peer's server and Redis CPU per request over Rotor's (info). */
    ratioByCpu: number
    defaults: { rotorWarm: Phase, peer: Phase, ratio: number, ratioByCpu: number }
  }
  /** Scenario 10: node-oidc-provider's refresh with rotation, as many families as scenario 2; ratio: Rotor's rate over it. */
  peerOidc: { families: number, peer: Phase, ratio: number, ratioByCpu: number }
  verifiers: Record<'EdDSA' | 'ES256', VerifierRates & { ratiosToRaw: { joseJwtVerify: number, fastJwt: number, rotorVerifyNoCache: number } }>
  targets: Target[]
}

export interface RevocationRun { users: number, timeouts: number, propagationMs: LatencyMs, logoutAllMs: LatencyMs }

/** Scenario 6 on one instance: /me alone, then beside the login flood. */
export interface StormPair { meQuiet: Phase, meStorm: Phase, logins: Phase, p99Ratio: number }
