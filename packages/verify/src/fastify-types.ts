// Types only, for code that declares its own Fastify decorations with the plugin's types (Rotor does): importing this
// module adds nothing to Fastify's interfaces, unlike '@rotor/verify/fastify', whose `declare module 'fastify'` gives
// every FastifyInstance and FastifyRequest of the program the plugin's decorations (rotorVerifier, authDegraded, …).
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'

/** Callable both ways: as a route hook (`onRequest: app.authenticate`) or awaited directly. */
export interface Authenticate {
  (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void
  (request: FastifyRequest): Promise<void>
}
