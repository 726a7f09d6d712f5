// Which seeded users each stateful scenario may touch, so that no scenario finds a family another one rotated or
// revoked: the last K users are logged out everywhere (scenario 4); of the rest, the first half rotate through the
// app and the second half through the raw EVALSHA baseline (scenario 2). /me and login only read, or add sessions.
import type { SeededUser } from '../../src/seed/seed-users.js'

export function partitionUsers (users: SeededUser[], revocationUsers: number) {
  const rest = users.length - revocationUsers
  const half = Math.floor(rest / 2)
  return {
    appRefresh: users.slice(0, half),
    rawRefresh: users.slice(half, rest),
    revocation: users.slice(rest)
  }
}
