// Which seeded users each stateful scenario may touch, so that no scenario finds a family another one rotated or
// revoked: the last K users are logged out everywhere (scenario 4), the P before them likewise while resource servers
// watch (scenario 8); of the rest, the first half rotate through the app and the second half through the raw EVALSHA
// baseline (scenario 2). /me, /hello and login only read, or add sessions.
import type { SeededUser } from '../../src/seed/seed-users.js'

export function partitionUsers (users: SeededUser[], counts: { revocationUsers: number, propagationUsers: number }) {
  const revoked = users.length - counts.revocationUsers
  const rest = revoked - counts.propagationUsers
  const half = Math.floor(rest / 2)
  return {
    appRefresh: users.slice(0, half),
    rawRefresh: users.slice(half, rest),
    /** Every user whose access token stays valid for the whole run. */
    neverRevoked: users.slice(0, rest),
    propagation: users.slice(rest, revoked),
    revocation: users.slice(revoked)
  }
}
