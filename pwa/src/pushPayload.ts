/**
 * What the service worker shows for a Web Push message: the server's payload
 * `{id, kind, title, body, link}` (in the user's language) becomes a notification tagged with
 * the id (the same reminder sent twice shows once) that opens its link. Pure, so that it is
 * tested without a service worker.
 */

export const PUSH_ICON = '/icons/icon-192.png'
export const PUSH_BADGE = '/icons/maskable-192.png'
/** Posted to the open pages when a push arrives, so that their bell counts it. */
export const PUSH_MESSAGE = 'minxin-notification'

export interface PushShown {
  title: string
  options: NotificationOptions & { data: { link: string; id: string; kind: string } }
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/** The path a notification may open: one of this app, else the inbox. */
export function safeLink(link: unknown): string {
  if (typeof link !== 'string' || !link.startsWith('/') || link.startsWith('//') || link.includes('\\')) return '/notifications'
  return link
}

/** Reads a push payload; one that is not the server's JSON still shows a generic reminder. */
export function pushNotification(payload: string | null, fallbackTitle = '民心 · 新提醒'): PushShown {
  let p: Record<string, unknown> = {}
  try {
    const parsed: unknown = payload ? JSON.parse(payload) : {}
    if (parsed && typeof parsed === 'object') p = parsed as Record<string, unknown>
  } catch {
    p = {}
  }
  const id = text(p.id)
  return {
    title: text(p.title) || fallbackTitle,
    options: {
      body: text(p.body),
      icon: PUSH_ICON,
      badge: PUSH_BADGE,
      ...(id ? { tag: id } : {}),
      lang: 'zh-CN',
      data: { link: safeLink(p.link), id, kind: text(p.kind) },
    },
  }
}

/** The absolute URL a click opens, on the service worker's own origin. */
export function clickUrl(data: unknown, origin: string): string {
  const link = data && typeof data === 'object' ? (data as { link?: unknown }).link : undefined
  return new URL(safeLink(link), origin).href
}
