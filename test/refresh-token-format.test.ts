// The refresh-token codec on its own: strict shape, constant-time MAC, one spelling per token, stable derivation.
import t from 'tap'
import { createRefreshTokenCodec, randomId, randomSecret } from '../src/sessions/refresh-token.js'

const codec = createRefreshTokenCodec('codec-test-secret-0123456789abcdef')
const parts = { userId: randomId(), familyId: randomId(), generation: 3, secret: randomSecret() }

t.test('parses what it formats', async (t) => {
  t.same(codec.parse(codec.format(parts)), { ok: true, token: parts })
})

t.test('rejects a token minted under another server secret as a bad MAC', async (t) => {
  const other = createRefreshTokenCodec('another-secret-0123456789abcdef-xyz')
  t.same(codec.parse(other.format(parts)), { ok: false, reason: 'bad_mac' })
})

t.test('accepts only the canonical base64url spelling of the MAC', async (t) => {
  const token = codec.format(parts)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const variants = [...alphabet].map((c) => token.slice(0, -1) + c).filter((v) => v !== token)
  const accepted = variants.filter((v) => codec.parse(v).ok)
  t.same(accepted, [], 'no other last character is accepted')
})

t.test('rejects malformed shapes before any MAC work', async (t) => {
  const token = codec.format(parts)
  for (const bad of ['', 'v2' + token.slice(2), token.replace('.3.', '.03.'), token.replace('.3.', '.0.'), token + '.',
    token.replaceAll('.', '..'), 'v1.' + 'a'.repeat(300), token.replace(/^v1\./, 'v1. ')]) {
    t.same(codec.parse(bad), { ok: false, reason: 'malformed' }, JSON.stringify(bad.slice(0, 30)))
  }
})

t.test('derives the same successor from the same token, and a different one from any other token or server key', async (t) => {
  t.equal(codec.deriveSecret(parts), codec.deriveSecret(parts))
  t.not(codec.deriveSecret(parts), codec.deriveSecret({ ...parts, secret: randomSecret() }))
  t.not(codec.deriveSecret(parts), codec.deriveSecret({ ...parts, generation: parts.generation + 1 }))
  t.not(codec.deriveSecret(parts), codec.deriveSecret({ ...parts, familyId: randomId() }))
  t.not(codec.deriveSecret(parts), createRefreshTokenCodec('another server secret of enough length!!').deriveSecret(parts))
  t.match(codec.deriveSecret(parts), /^[A-Za-z0-9_-]{43}$/, '256 bits, the same shape as a fresh secret')
})

t.test('never hands out the same random bytes twice, across refills of the random pool', async (t) => {
  const ids = Array.from({ length: 2000 }, () => randomId()) // 32 KB: several 4 KiB refills
  const secrets = Array.from({ length: 500 }, () => randomSecret())
  t.equal(new Set(ids).size, ids.length)
  t.equal(new Set(secrets).size, secrets.length)
  t.ok(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id)) && secrets.every((s) => /^[A-Za-z0-9_-]{43}$/.test(s)))
})
