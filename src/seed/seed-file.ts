// The seed file the k6 scripts read: credentials of every seeded user, one user per line so `head` shows the shape.
// It holds live tokens and the shared password, so it is written readable by its owner only.
import { chmodSync, writeFileSync } from 'node:fs'
import type { SeedResult } from './seed-users.js'

export const SEED_FILE_VERSION = 1

export interface SeedFileUser {
  email: string
  access_token: string
  refresh_token: string
}

export interface SeedFile {
  version: typeof SEED_FILE_VERSION
  created_at: string
  /** Where the seeding configuration says the service listens; the k6 scripts' BASE_URL overrides it. */
  base_url_hint: string
  /** The password every seeded user logs in with. */
  password: string
  email_domain: string
  /** The earliest access-token expiry: validation runs past it see 401s (seeded refresh tokens live much longer). */
  access_tokens_expire_at: string
  users: SeedFileUser[]
}

export function formatSeedFile (result: SeedResult, meta: { password: string, baseUrlHint: string, createdAtMs: number }): string {
  const head: Omit<SeedFile, 'users'> = {
    version: SEED_FILE_VERSION,
    created_at: new Date(meta.createdAtMs).toISOString(),
    base_url_hint: meta.baseUrlHint,
    password: meta.password,
    email_domain: result.emailDomain,
    access_tokens_expire_at: new Date(result.accessTokensExpireAtMs).toISOString()
  }
  const lines = result.users.map((u) => JSON.stringify({ email: u.email, access_token: u.accessToken, refresh_token: u.refreshToken } satisfies SeedFileUser))
  const headText = JSON.stringify(head)
  return `${headText.slice(0, -1)},"users":[\n${lines.join(',\n')}\n]}\n`
}

export function writeSeedFile (path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 })
  chmodSync(path, 0o600) // the mode above applies only when the file is new
}
