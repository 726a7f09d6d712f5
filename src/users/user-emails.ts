// Users' emails for GET /me, which no longer finds them in the access token. Read from the user store once per user
// and process, then remembered: an account's email never changes (no route or command changes it; users are never
// deleted), so a remembered one cannot go stale, and /me stays a local answer for every user seen before. Should an
// email ever become changeable, the change must reach every instance's memory (the revocation feed does for tokens).
import { createOldestFirstMap } from '@rotor/verify'
import type { UserStore } from './user-store.js'

/** The email; null when the store cannot be read right now; undefined when there is no such user. */
export type EmailLookup = string | null | undefined

export interface UserEmails {
  /** Synchronous: a remembered email, or undefined (then call load). */
  remembered (userId: string): string | undefined
  /** From the store. Any store error (per `isStoreUnavailable`, the 503 rule of src/redis-errors.ts) is answered null; any other error is thrown. */
  load (userId: string): Promise<EmailLookup>
}

export function createUserEmails (deps: {
  users: Pick<UserStore, 'findEmail'>
  /** 0 = remember nothing: every call reads the store. Oldest entries are forgotten first. */
  maxEntries: number
  isStoreUnavailable: (err: unknown) => boolean
}): UserEmails {
  const { users, maxEntries, isStoreUnavailable } = deps
  const emails = createOldestFirstMap<string, string>(maxEntries)
  return {
    remembered: (userId) => emails.get(userId),
    async load (userId) {
      let email: string | undefined
      try {
        email = await users.findEmail(userId)
      } catch (err) {
        if (isStoreUnavailable(err)) return null
        throw err
      }
      if (email !== undefined && maxEntries > 0) {
        emails.set(userId, email)
      }
      return email
    }
  }
}
