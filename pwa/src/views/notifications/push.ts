/**
 * Web Push on this device, switched on from the settings page only (the browser's permission
 * prompt never comes by itself): the browser's subscription is sent to the server, and the id
 * the server gives it is kept in localStorage (per user) so that it can be removed again.
 * The inbox works whatever happens here.
 */
import type { ApiClient } from '../../api/client'
import { addPushSubscription, readPushInfo, removePushSubscription } from '../../api/notifications'

export type PushSupport = 'unsupported' | 'denied' | 'default' | 'granted'

interface PushManagerLike {
  getSubscription(): Promise<PushSubscriptionLike | null>
  subscribe(options: { userVisibleOnly: boolean; applicationServerKey: Uint8Array<ArrayBuffer> }): Promise<PushSubscriptionLike>
}

export interface PushSubscriptionLike {
  endpoint: string
  options?: { applicationServerKey: ArrayBuffer | null }
  toJSON(): PushSubscriptionJSON
  unsubscribe(): Promise<boolean>
}

/** What push needs of the browser; the page passes the real one, tests a fake. */
export interface PushEnv {
  supported: boolean
  permission(): NotificationPermission
  requestPermission(): Promise<NotificationPermission>
  /** The service worker's registration once it is active. */
  pushManager(): Promise<PushManagerLike>
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
}

/** How long to wait for the service worker before saying push cannot work here. */
const READY_TIMEOUT_MS = 10_000

export function browserPushEnv(win: Window & typeof globalThis = window): PushEnv {
  const supported = 'serviceWorker' in win.navigator && 'PushManager' in win && 'Notification' in win
  return {
    supported,
    permission: () => (supported ? win.Notification.permission : 'denied'),
    requestPermission: () => win.Notification.requestPermission(),
    async pushManager() {
      const ready = win.navigator.serviceWorker.ready
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('service worker not active')), READY_TIMEOUT_MS))
      const registration = await Promise.race([ready, timeout])
      return registration.pushManager as unknown as PushManagerLike
    },
    storage: win.localStorage,
  }
}

export function pushSupport(env: Pick<PushEnv, 'supported' | 'permission'>): PushSupport {
  return env.supported ? env.permission() : 'unsupported'
}

/** A VAPID key as the browser takes it: base64url (padding optional) to bytes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4)
  const raw = atob(base64)
  const out = new Uint8Array(new ArrayBuffer(raw.length))
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i)
  return out
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false
  const x = new Uint8Array(a)
  return x.length === b.length && x.every((v, i) => v === b[i])
}

interface Kept {
  id: string
  endpoint: string
}

const storageKey = (userId: string) => `minxin.push.${userId}`

export function keptSubscription(env: Pick<PushEnv, 'storage'>, userId: string): Kept | null {
  try {
    const value = JSON.parse(env.storage.getItem(storageKey(userId)) ?? 'null') as Kept | null
    return value && typeof value.id === 'string' && typeof value.endpoint === 'string' ? value : null
  } catch {
    return null
  }
}

/** Whether this device receives push for this user: allowed, subscribed, and known to the server. */
export async function pushOnHere(env: PushEnv, userId: string): Promise<boolean> {
  if (pushSupport(env) !== 'granted') return false
  const kept = keptSubscription(env, userId)
  if (!kept) return false
  const sub = await (await env.pushManager()).getSubscription()
  return sub !== null && sub.endpoint === kept.endpoint
}

export type EnableResult = 'on' | 'denied' | 'unsupported'

type Client = Pick<ApiClient, 'requestJSON' | 'request'>

/**
 * Asks the browser's permission (the user pressed the switch), subscribes with the server's
 * key and tells the server. A subscription made with another key is replaced.
 */
export async function enablePush(env: PushEnv, client: Client, userId: string): Promise<EnableResult> {
  if (!env.supported) return 'unsupported'
  let permission = env.permission()
  if (permission === 'default') permission = await env.requestPermission()
  if (permission !== 'granted') return 'denied'
  const info = await readPushInfo(client)
  const key = keyBytes(info.public_key)
  const manager = await env.pushManager()
  let sub = await manager.getSubscription()
  if (sub && !sameKey(sub.options?.applicationServerKey, key)) {
    await sub.unsubscribe()
    sub = null
  }
  sub ??= await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
  const kept = keptSubscription(env, userId)
  if (kept && kept.endpoint !== sub.endpoint) await removePushSubscription(client, kept.id).catch(() => undefined)
  const saved = await addPushSubscription(client, sub.toJSON())
  env.storage.setItem(storageKey(userId), JSON.stringify({ id: saved.id, endpoint: sub.endpoint } satisfies Kept))
  return 'on'
}

/** Tells the server to stop, and ends the browser's subscription. */
export async function disablePush(env: PushEnv, client: Client, userId: string): Promise<void> {
  const kept = keptSubscription(env, userId)
  if (kept) await removePushSubscription(client, kept.id)
  env.storage.removeItem(storageKey(userId))
  if (!env.supported) return
  const sub = await (await env.pushManager()).getSubscription()
  await sub?.unsubscribe()
}
