// The Authorization header grammar of bearer authentication (RFC 6750 §2.1), parsed by hand on the hot path: it must
// accept and extract exactly what /^Bearer +([^ ]+) *$/i does.
import t from 'tap'
import { parseBearer } from '../src/plugins/authenticate.js'

const GRAMMAR = /^Bearer +([^ ]+) *$/i
const expected = (header: string): string | undefined => GRAMMAR.exec(header)?.[1]

t.test('accepts the scheme in any case, with spaces before the token and after it', async (t) => {
  for (const header of ['Bearer abc', 'bearer abc', 'BEARER a.b.c', 'BeArEr   abc', 'Bearer abc  ', 'Bearer a\tb']) {
    t.equal(parseBearer(header), expected(header), JSON.stringify(header))
    t.not(parseBearer(header), undefined, JSON.stringify(header))
  }
})

t.test('refuses other schemes, a missing token, two tokens and look-alike characters', async (t) => {
  const refused = [
    '', 'Bearer', 'Bearer ', 'Bearer    ', 'Bearerabc', 'Bearer\tabc', ' Bearer abc', 'Bearer abc def', 'Bearer abc d',
    'Basic abc', 'Token abc', 'Bearez abc', 'Bearer\u00a0abc', 'Bear\u0435r abc', 'Be\u017fer abc', 'B\u0000arer abc', 'bEaRe abc'
  ]
  for (const header of refused) {
    t.equal(expected(header), undefined, `the grammar refuses ${JSON.stringify(header)}`)
    t.equal(parseBearer(header), undefined, JSON.stringify(header))
  }
})

t.test('agrees with the grammar on many generated headers', async (t) => {
  // Every character that matters to the grammar, and a few that must not.
  const alphabet = ['B', 'b', 'e', 'E', 'a', 'A', 'r', 'R', ' ', ' ', '\t', 'x', '.', '-', '\u00e9', 'K']
  let seed = 42
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
  let mismatches = 0
  for (let i = 0; i < 20_000; i++) {
    const prefix = ['Bearer ', 'bearer  ', 'BEARER', 'Bearer', ''][i % 5]!
    let header = prefix
    const length = Math.floor(random() * 12)
    for (let k = 0; k < length; k++) header += alphabet[Math.floor(random() * alphabet.length)]
    if (parseBearer(header) !== expected(header)) mismatches++
  }
  t.equal(mismatches, 0)
})
