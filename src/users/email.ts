// Email canonicalisation, applied everywhere an email is stored, compared or returned:
// trim surrounding white space, Unicode NFC, then lower-case the whole address (local part included).
// Strictly, RFC 5321 §2.4 lets a server treat the local part case-sensitively, but no mainstream provider does, and
// two accounts differing only in case are a support and phishing hazard.

export const EMAIL_MAX_LENGTH = 254 // RFC 5321 §4.5.3.1.3 path limit minus the angle brackets

// One @, a non-empty local part without white space or control characters, and a dotted domain.
const SHAPE = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}.]+(?:\.[^\s@\p{Cc}.]+)+$/u

/** The canonical form of an address, or undefined if it is not a plausible address. */
export function canonicalEmail (raw: string): string | undefined {
  const email = raw.trim().normalize('NFC').toLowerCase()
  if (email.length > EMAIL_MAX_LENGTH || !SHAPE.test(email)) return undefined
  return email
}
