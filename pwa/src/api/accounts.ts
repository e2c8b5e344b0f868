/**
 * Accounts and the activity log (issue 17): an admin's reset of a user's password, the
 * petition office's re-issue of a petitioner's PIN at the counter, and the activity log with
 * its chain's check for admins and inspectors. Changing one's own password is the client's
 * (ApiClient.changePassword), since it answers a new session.
 */
import { API, type ApiClient } from './client'

type Reader = Pick<ApiClient, 'requestJSON'>

export interface PasswordReset {
  user_id: string
  temporary_password: string
  must_change_password: true
}

export const resetPassword = (c: Reader, userId: string) =>
  c.requestJSON('POST', `${API}/users/${userId}/password-reset`, { json: {} }) as Promise<PasswordReset>

export interface ReissuedPIN {
  id: string
  tracking_code: string
  pin: string
}

export const reissuePIN = (c: Reader, petitionId: string, phone: string, identityNote: string) =>
  c.requestJSON('POST', `${API}/petitions/${petitionId}/pin`, { json: { phone, identity_note: identityNote } }) as Promise<ReissuedPIN>

export interface ActivityActor {
  kind: 'user' | 'petitioner' | 'system'
  id: string | null
  name: string | null
  role: string | null
}

export interface ActivityEntry {
  seq: number
  at: string
  actor: ActivityActor
  action: string
  entity: string
  entity_id: string
  township_id: string | null
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  masked: boolean
  hash: string
}

export interface ActivityFilter {
  actor?: string
  action?: string
  entity?: string
  township_id?: string
  from?: string
  to?: string
}

export interface ActivityPage {
  items: ActivityEntry[]
  next_cursor: string | null
}

export function activityQuery(f: ActivityFilter, cursor: string | null, limit = 30): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(f)) if (typeof v === 'string' && v.trim() !== '') q.set(k, v.trim())
  q.set('limit', String(limit))
  if (cursor) q.set('cursor', cursor)
  return q.toString()
}

export const readActivity = (c: Reader, f: ActivityFilter, cursor: string | null, limit = 30) =>
  c.requestJSON('GET', `${API}/activity?${activityQuery(f, cursor, limit)}`) as Promise<ActivityPage>

export interface ActivityVerification {
  intact: boolean
  entries: number
  head_seq: number
  head_hash: string
  broken: { seq: number; reason: string } | null
  verified_at: string
}

export const verifyActivity = (c: Reader) => c.requestJSON('GET', `${API}/activity/verify`) as Promise<ActivityVerification>

/**
 * The fields of an entry's record that changed, before → after, in a stable order: what the
 * log viewer shows under each entry.
 */
export function changedFields(e: Pick<ActivityEntry, 'before' | 'after'>): { key: string; before: string | null; after: string | null }[] {
  const keys = new Set([...Object.keys(e.before ?? {}), ...Object.keys(e.after ?? {})])
  const show = (v: unknown): string | null => (v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v))
  const out: { key: string; before: string | null; after: string | null }[] = []
  for (const key of [...keys].sort()) {
    const b = show(e.before?.[key])
    const a = show(e.after?.[key])
    if (b !== a) out.push({ key, before: b, after: a })
  }
  return out
}
