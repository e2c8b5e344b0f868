import type { MinxinDB } from '../db'

export type Role = 'official' | 'petition_officer' | 'inspector' | 'admin' | 'villager'

export const roles: readonly Role[] = ['official', 'petition_officer', 'inspector', 'admin', 'villager']

export interface User {
  id: string
  username: string
  display_name: string
  role: Role
  township_id: string | null
  team_member: boolean
  lead: boolean
  /** An admin reset the password: it must be changed before anything else (set only when true). */
  must_change_password?: true
}

/** The tokens of the signed-in user. expires_at is the access token's end, in ms since the epoch. */
export interface Session {
  access_token: string
  refresh_token: string
  expires_at: number
  user: User
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

export function parseUser(v: unknown): User {
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.username !== 'string') {
    throw new Error('unexpected user in the answer')
  }
  const role = roles.find((r) => r === v.role)
  if (!role) throw new Error(`unknown role ${String(v.role)}`)
  return {
    id: v.id,
    username: v.username,
    display_name: typeof v.display_name === 'string' && v.display_name !== '' ? v.display_name : v.username,
    role,
    township_id: typeof v.township_id === 'string' ? v.township_id : null,
    team_member: v.team_member === true,
    lead: v.lead === true,
    ...(v.must_change_password === true ? { must_change_password: true as const } : {}),
  }
}

/** Reads a login or refresh answer {access_token, refresh_token, expires_in, user}. */
export function parseTokens(v: unknown, now: number): Session {
  if (
    !isObject(v) ||
    typeof v.access_token !== 'string' ||
    typeof v.refresh_token !== 'string' ||
    typeof v.expires_in !== 'number'
  ) {
    throw new Error('unexpected token answer')
  }
  return {
    access_token: v.access_token,
    refresh_token: v.refresh_token,
    expires_at: now + v.expires_in * 1000,
    user: parseUser(v.user),
  }
}

/**
 * Keeps the session in IndexedDB, where the service worker can read it too, so the outbox
 * can drain after a reload or in a background sync.
 */
export class SessionStore {
  constructor(private readonly db: MinxinDB) {}

  get(): Promise<Session | undefined> {
    return this.db.get('session', 'current')
  }

  async set(session: Session): Promise<void> {
    await this.db.put('session', session, 'current')
  }

  async clear(): Promise<void> {
    await this.db.delete('session', 'current')
  }
}
