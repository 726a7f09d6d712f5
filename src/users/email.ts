// Email canonicalisation, applied everywhere an email is stored, compared or returned:
// trim surrounding white space, Unicode NFC, then lower-case the whole address (local part included).
// Strictly, RFC 5321 §2.4 lets a server treat the local part case-sensitively, but no mainstream provider does, and
// two accounts differing only in case are a support and phishing hazard.

export const EMAIL_MAX_LENGTH = 254 // RFC 5321 §4.5.3.1.3 path limit minus the angle brackets

// One @, a non-empty local part without white space, and a dotted domain.
const SHAPE = /^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/u

// Characters no address may hold, because they make two addresses look alike or render one deceptively
// (Unicode TR 36 §2, UTS 39 §3.1): every "other" code point (Cc controls, Cf format characters such as U+200B and the
// bidirectional controls U+202A–U+202E and U+2066–U+2069, Co private use, Cn unassigned, Cs lone surrogates), every
// default-ignorable code point (invisible: U+3164, variation selectors, …) and U+FFFD, which is what invalid UTF-8
// decodes to: accepting it would let different byte strings collapse onto one account.
const FORBIDDEN = /[\p{C}\p{Default_Ignorable_Code_Point}\uFFFD]/u

/** The canonical form of an address, or undefined if it is not a plausible, unambiguous address. */
export function canonicalEmail (raw: string): string | undefined {
  const trimmed = raw.trim()
  // Checked before normalisation, on the address as sent (less surrounding white space).
  if (FORBIDDEN.test(trimmed)) return undefined
  const email = trimmed.normalize('NFC').toLowerCase()
  if (email.length > EMAIL_MAX_LENGTH || !SHAPE.test(email)) return undefined
  return email
}
