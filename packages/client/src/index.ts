// @rotor/client: Rotor sessions for SPAs, mobile apps and Node. What users call, and nothing else.
export { createRotorClient, type RotorClient } from './client.js'
export type { RotorClientOptions } from './options.js'
export type { RotorEvents, SignOutReason } from './events.js'
export { memoryStorage, REFRESH_TOKEN_KEY, type TokenStorage } from './storage.js'
export { RotorError, SignedOutError, TemporarilyUnavailableError } from './errors.js'
export type { RotorMiddleware } from './authorized-fetch.js'
export type { Delivery } from './transport.js'
