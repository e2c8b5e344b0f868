/**
 * The inbox of reminders (提醒, product.md §8) and how each kind is delivered: the reminder
 * jobs write the notifications; a user reads them, marks them read, and chooses push and SMS
 * per kind. Title and body come in the language of the request's Accept-Language, which the
 * client sets from the app's language.
 */
import { API, type ApiClient } from './client'
import { apiError } from './problem'

export const KINDS = ['visit_due', 'nights_short', 'stationing_behind', 'petition_deadline', 'finding_open', 'supervised'] as const
export type NotificationKind = (typeof KINDS)[number]

export interface Notification {
  id: string
  kind: string
  title: string
  body: string
  /** A path of this app that the notification opens. */
  link: string
  created_at: string
  read_at: string | null
}

export interface NotificationPage {
  items: Notification[]
  next_cursor: string | null
}

export interface KindPreference {
  kind: string
  inbox: boolean
  push: boolean
  sms: boolean
  /** Cannot be switched off (a township's lead and overdue petitions). */
  locked: boolean
}

export interface Preferences {
  phone: string
  items: KindPreference[]
}

export interface PreferencesInput {
  phone?: string
  items: { kind: string; push?: boolean; sms?: boolean }[]
}

export interface PushInfo {
  /** The server's VAPID public key, base64url. */
  public_key: string
  /** How many devices of this user receive push. */
  subscriptions: number
}

export interface PushSubscribed {
  id: string
  created_at: string
}

type Reader = Pick<ApiClient, 'requestJSON'>
type Requester = Pick<ApiClient, 'request'>

export function readNotifications(c: Reader, cursor: string | null, limit = 20): Promise<NotificationPage> {
  const q = new URLSearchParams({ limit: String(limit) })
  if (cursor) q.set('cursor', cursor)
  return c.requestJSON('GET', `${API}/notifications?${q.toString()}`) as Promise<NotificationPage>
}

export async function readUnread(c: Reader): Promise<number> {
  const answer = (await c.requestJSON('GET', `${API}/notifications/unread`)) as { unread: number }
  return answer.unread
}

export async function markRead(c: Requester, id: string): Promise<void> {
  const res = await c.request('POST', `${API}/notifications/${encodeURIComponent(id)}/read`)
  if (!res.ok) throw await apiError(res, Date.now())
}

export const readPreferences = (c: Reader) => c.requestJSON('GET', `${API}/notifications/preferences`) as Promise<Preferences>

export const savePreferences = (c: Reader, input: PreferencesInput) =>
  c.requestJSON('PUT', `${API}/notifications/preferences`, { json: input }) as Promise<Preferences>

export const readPushInfo = (c: Reader) => c.requestJSON('GET', `${API}/notifications/push`) as Promise<PushInfo>

export const addPushSubscription = (c: Reader, subscription: PushSubscriptionJSON) =>
  c.requestJSON('POST', `${API}/notifications/push/subscriptions`, { json: subscription }) as Promise<PushSubscribed>

export async function removePushSubscription(c: Requester, id: string): Promise<void> {
  const res = await c.request('DELETE', `${API}/notifications/push/subscriptions/${encodeURIComponent(id)}`)
  // Already gone on the server is what was asked.
  if (!res.ok && res.status !== 404) throw await apiError(res, Date.now())
}
