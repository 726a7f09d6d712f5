// Request bodies are decoded strictly: a body that is not valid UTF-8 is refused (400) rather than decoded with
// U+FFFD in place of the bad bytes, which would make different inputs collapse onto one email or one password
// (Unicode TR 36 §3.5; RFC 8259 §8.1: JSON text exchanged between systems is UTF-8).
import fp from 'fastify-plugin'
import { isUtf8 } from 'node:buffer'
import { errors } from '../errors.js'

const notUtf8 = () => errors.invalidRequest('The body is not valid UTF-8')

/**
 * application/x-www-form-urlencoded, strictly (WHATWG URL §5.1): a form body is ASCII, every other byte
 * percent-encoded, and the percent-encoded bytes must be UTF-8. A field sent twice becomes an array, which every
 * body schema refuses. Null prototype: "__proto__" is a field name like any other.
 */
export function parseFormStrict (body: string): Record<string, string | string[]> {
  // Raw non-ASCII bytes arrive here already decoded (U+FFFD for invalid ones): refuse them all.
  if (!/^[\x20-\x7e]*$/.test(body)) throw notUtf8()
  const fields: Record<string, string | string[]> = Object.create(null)
  for (const pair of body.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq))
    const value = decodeFormComponent(eq === -1 ? '' : pair.slice(eq + 1))
    const seen = fields[name]
    fields[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]
  }
  return fields
}

function decodeFormComponent (text: string): string {
  try {
    // decodeURIComponent throws URIError on an invalid or truncated UTF-8 sequence, lone surrogates included.
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    throw notUtf8()
  }
}

export default fp(async (app) => {
  const parseJsonText = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (!isUtf8(body)) return done(notUtf8(), undefined)
    parseJsonText(request, body.toString('utf8'), done)
  })
}, { name: 'body-parsers' })
