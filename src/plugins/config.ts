// The validated configuration and the clock, decorated once so every plugin reads the same values.
import fp from 'fastify-plugin'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** Milliseconds since the epoch; injected in tests so expiry is tested without sleeping. */
    clock: () => number
  }
}

export default fp<{ config: Config, clock: () => number }>(async (app, { config, clock }) => {
  app.decorate('config', config)
  app.decorate('clock', clock)
}, { name: 'config' })
