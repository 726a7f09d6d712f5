// The Authorization header's grammar (RFC 6750 §2.1), shared by Rotor and the verifier package.
const SPACE = 0x20

/**
 * The token of `Bearer <token>`, the scheme in any case (RFC 9110 §11.1), one or more spaces before the token and
 * only spaces after it; undefined for anything else. The same grammar as /^Bearer +([^ ]+) *$/i, without a regular
 * expression running over the whole token on every request.
 */
export function parseBearer (header: string): string | undefined {
  // `| 0x20` lower-cases an ASCII letter and maps no other code unit onto one.
  if (header.length < 8 || (header.charCodeAt(0) | 0x20) !== 0x62 || (header.charCodeAt(1) | 0x20) !== 0x65 ||
    (header.charCodeAt(2) | 0x20) !== 0x61 || (header.charCodeAt(3) | 0x20) !== 0x72 ||
    (header.charCodeAt(4) | 0x20) !== 0x65 || (header.charCodeAt(5) | 0x20) !== 0x72 ||
    header.charCodeAt(6) !== SPACE) return undefined
  let start = 7
  while (header.charCodeAt(start) === SPACE) start++
  const space = header.indexOf(' ', start)
  const end = space === -1 ? header.length : space
  if (end === start) return undefined
  for (let i = end + 1; i < header.length; i++) if (header.charCodeAt(i) !== SPACE) return undefined
  return header.slice(start, end)
}

/**
 * Node keeps only the first Authorization header in request.headers and drops the rest, so a second one (from a
 * proxy, or an attacker's) would be silently ignored: the raw list tells. A loop without allocation, on every request.
 */
export function hasSecondAuthorization (rawHeaders: string[]): boolean {
  let seen = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    if (name.length === 13 && name.toLowerCase() === 'authorization' && ++seen > 1) return true
  }
  return false
}
