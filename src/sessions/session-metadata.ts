// What a session remembers about the client that started it, for the user's session list: the IP address and a
// summary of the User-Agent ("Chrome 131 on macOS"). A full browser User-Agent is 100-300 bytes of mostly
// compatibility noise; the summary keeps what a person needs to recognise a device in ≤ 64 bytes per session
// (docs/design.md, "Data model"). Clients we do not recognise keep the start of their User-Agent.

export const SESSION_METADATA_MAX_BYTES = 64

const BROWSERS: Array<[name: string, pattern: RegExp]> = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\bOPR\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:Chrome|CriOS)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//]
]

const SYSTEMS: Array<[name: string, pattern: RegExp]> = [
  ['iOS', /\b(?:iPhone|iPad|iPod)\b/],
  ['Android', /\bAndroid\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['Windows', /\bWindows\b/],
  ['macOS', /\bMac OS X\b|\bMacintosh\b/],
  ['Linux', /\bLinux\b/]
]

/** "Chrome 131 on macOS" for a browser we recognise, otherwise the printable start of the User-Agent. */
export function summarizeUserAgent (userAgent: string): string {
  const printable = userAgent.replace(/[^\x21-\x7e]+/g, ' ').trim()
  const browser = BROWSERS.find(([, pattern]) => pattern.test(printable))
  if (browser === undefined) return printable
  const version = browser[1].exec(printable)?.[1] ?? ''
  const system = SYSTEMS.find(([, pattern]) => pattern.test(printable))?.[0]
  return `${browser[0]} ${version}${system === undefined ? '' : ` on ${system}`}`
}

/** The stored form: "<ip> <user agent summary>", at most SESSION_METADATA_MAX_BYTES bytes (both parts are ASCII). */
export function encodeSessionMetadata (ip: string, userAgent: string): string {
  const address = (ip.split('%')[0] ?? '').replace(/[^0-9A-Fa-f:.]/g, '').slice(0, 45) // IPv4 or IPv6, no zone
  return `${address} ${summarizeUserAgent(userAgent)}`.slice(0, SESSION_METADATA_MAX_BYTES)
}

export function decodeSessionMetadata (stored: string): { ip: string, userAgent: string } {
  const space = stored.indexOf(' ')
  return space < 0 ? { ip: stored, userAgent: '' } : { ip: stored.slice(0, space), userAgent: stored.slice(space + 1) }
}
