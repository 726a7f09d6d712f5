// Requests whose framing two HTTP components could read differently, refused with 400 before any route works on
// them: Node keeps the first of a repeated Host, Content-Type or Authorization (and joins repeated others with ", "),
// while a proxy in front may act on the last; and an absolute-form target (RFC 9112 §3.2.2) names a host of its own,
// which a proxy may route by while Rotor's same-origin check reads Host.

/**
 * Headers a request may carry once (RFC 9110 §5.3: only list-valued fields may repeat). Host: RFC 9112 §3.2 requires
 * a 400. Origin is one origin or "null" (RFC 6454 §7); X-Requested-With is our CSRF header. Content-Length is Node's
 * own (llhttp refuses a repeated one; answered by clientErrorHandler). Cookie may repeat (RFC 9113 §8.2.3 splits it
 * into several; Node joins them with "; "). HTTP/2 is not served, so no :authority pseudo-header can arrive (a
 * ":authority" line is no valid HTTP/1.1 field name and Node's parser refuses it).
 */
const SINGLE_HEADERS: ReadonlyMap<string, string> = new Map(['Host', 'Content-Type', 'Authorization', 'Origin', 'X-Requested-With']
  .map((name) => [name.toLowerCase(), name]))

/** The first header of SINGLE_HEADERS that `rawHeaders` (name, value, ...) carries more than once. */
export function repeatedSingleHeader (rawHeaders: string[]): string | undefined {
  let seen: Set<string> | undefined
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase()
    if (!SINGLE_HEADERS.has(name)) continue
    if (seen?.has(name) === true) return SINGLE_HEADERS.get(name)
    ;(seen ??= new Set()).add(name)
  }
  return undefined
}

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i

/** Whether an absolute-form request target names another authority than Host (origin-form targets never do). */
export function authorityConflicts (target: string, host: string | undefined): boolean {
  if (target.startsWith('/')) return false // origin-form: the common case, one character compared
  const authority = ABSOLUTE_FORM.exec(target)?.[1]
  return authority !== undefined && authority.toLowerCase() !== (host ?? '').toLowerCase()
}
