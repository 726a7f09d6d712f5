// What a session remembers about its client: the IP and a short summary of the User-Agent, ≤ 64 bytes in all.
import t from 'tap'
import { decodeSessionMetadata, encodeSessionMetadata, SESSION_METADATA_MAX_BYTES, summarizeUserAgent } from '../src/sessions/session-metadata.js'

const AGENTS: Array<[string, string]> = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome 126 on Windows'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'Safari 17 on macOS'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari 17 on iOS'],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0', 'Firefox 127 on Linux'],
  ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36', 'Chrome 126 on Android'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68', 'Edge 126 on Windows'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1', 'Chrome 126 on iOS'],
  ['MyApp/2.3.1 (iPhone; iOS 17.4)', 'MyApp/2.3.1 (iPhone; iOS 17.4)'],
  ['curl/8.5.0', 'curl/8.5.0'],
  ['', '']
]

t.test('summarises the browsers people use and keeps other clients as they introduce themselves', async (t) => {
  for (const [agent, summary] of AGENTS) t.equal(summarizeUserAgent(agent), summary, agent.slice(0, 40))
})

t.test('stores ip and summary in at most 64 bytes and reads them back', async (t) => {
  const stored = encodeSessionMetadata('2001:db8:85a3::8a2e:370:7334', AGENTS[0]![0])
  t.same(decodeSessionMetadata(stored), { ip: '2001:db8:85a3::8a2e:370:7334', userAgent: 'Chrome 126 on Windows' })
  const long = encodeSessionMetadata('::ffff:203.0.113.77', 'x'.repeat(500))
  t.ok(Buffer.byteLength(long) <= SESSION_METADATA_MAX_BYTES)
  t.equal(decodeSessionMetadata(long).ip, '::ffff:203.0.113.77')
})

t.test('drops control characters, non-ASCII bytes and IPv6 zone ids, so nothing odd reaches the store or the list', async (t) => {
  t.equal(summarizeUserAgent('evil\r\nSet-Cookie: a=b\u0000 \u00e9t\u00e9'), 'evil Set-Cookie: a=b t')
  t.same(decodeSessionMetadata(encodeSessionMetadata('fe80::1%eth0', 'curl/8')), { ip: 'fe80::1', userAgent: 'curl/8' })
})
