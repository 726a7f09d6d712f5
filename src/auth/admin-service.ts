// Administrative actions on users. Every change that alters what a token may do (disable, role change) or that
// ends sessions bumps the session version, so existing access tokens die on every instance.
import type { Revoker } from '../revocation/revoker.js'
import type { SessionStore } from '../sessions/session-store.js'
import type { User, UserStore } from '../users/user-store.js'

export interface AdminView extends Omit<User, 'passwordHash'> { activeSessions: number }

export interface AdminService {
  /** Each returns undefined when there is no such user. */
  view (userId: string): Promise<AdminView | undefined>
  revokeSessions (userId: string): Promise<true | undefined>
  setDisabled (userId: string, disabled: boolean): Promise<true | undefined>
  setRoles (userId: string, roles: string[]): Promise<AdminView | undefined>
}

export function createAdminService (deps: { users: UserStore, sessions: SessionStore, revoker: Revoker }): AdminService {
  const { users, sessions, revoker } = deps

  async function view (userId: string): Promise<AdminView | undefined> {
    const user = await users.findById(userId)
    if (user === undefined) return undefined
    const { passwordHash: _omitted, ...rest } = user
    return { ...rest, activeSessions: (await sessions.listSessions(userId)).length }
  }

  return {
    view,
    async revokeSessions (userId) {
      if (await users.findById(userId) === undefined) return undefined
      await revoker.allForUser(userId, 'admin_revoke')
      return true
    },
    async setDisabled (userId, disabled) {
      if (!(await users.setDisabled(userId, disabled))) return undefined
      // Enabling needs no bump: nothing issued while disabled is live.
      if (disabled) await revoker.allForUser(userId, 'admin_disable')
      return true
    },
    async setRoles (userId, roles) {
      if (!(await users.setRoles(userId, roles))) return undefined
      await revoker.allForUser(userId, 'roles_changed')
      return view(userId)
    }
  }
}
