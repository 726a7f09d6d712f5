// The validated configuration and the clock, decorated once so every plugin reads the same values.
import fp from 'fastify-plugin'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** Milliseconds since the epoch; injected in tests so expiry is tested without sleeping. */
    clock: () => number
    /**
     * Tests only: replaces Redis's clock in the store scripts. Undefined in production, where every window (grace,
     * idle and absolute expiry, login locks) is decided on Redis's clock, so instances need not agree on time.
     */
    storeClock: (() => number) | undefined
  }
}

export default fp<{ config: Config, clock: () => number, storeClock?: () => number }>(async (app, { config, clock, storeClock }) => {
  app.decorate('config', config)
  app.decorate('clock', clock)
  app.decorate('storeClock', storeClock)
}, { name: 'config' })
