// Shared schemas: the error body and health documents.
import { Type, type Static } from '@sinclair/typebox'
import { ERROR_CODES, type ErrorCode } from '../errors.js'

export const ErrorBody = Type.Object({
  // A plain string enum: simpler for generated clients than anyOf-of-consts, and fast to serialise.
  error: Type.Unsafe<ErrorCode>({ type: 'string', enum: [...ERROR_CODES], description: 'Stable snake_case code (RFC 6749 §5.2 style)' }),
  error_description: Type.String({ description: 'Human-readable; never contains a token or a password' })
}, { $id: 'ErrorBody', additionalProperties: false })
export type ErrorBodyT = Static<typeof ErrorBody>

export const HealthStatus = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('ready')])
}, { $id: 'HealthStatus', additionalProperties: false })

/** Declared error responses for a route: every status it can answer with. */
export function errorResponses (...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorBody)]))
}
