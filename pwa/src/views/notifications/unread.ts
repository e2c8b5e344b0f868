/**
 * The unread count the bell shows: one value shared by the bell and the inbox (reading a
 * notification counts it down at once), fetched again whenever the page comes back into view
 * or gets the focus.
 */
import { onBeforeUnmount, onMounted, ref } from 'vue'
import { readUnread } from '../../api/notifications'
import type { ApiClient } from '../../api/client'
import { PUSH_MESSAGE } from '../../pushPayload'

/** null until the first answer (the badge shows nothing rather than a guess). */
export const unread = ref<number | null>(null)

let inFlight: Promise<void> | null = null

/** Fetches the count; without a network the last count stays. */
export function refreshUnread(client: Pick<ApiClient, 'requestJSON'>): Promise<void> {
  inFlight ??= readUnread(client)
    .then((n) => {
      unread.value = n
    })
    .catch((err: unknown) => console.warn('could not read the unread count', err))
    .finally(() => {
      inFlight = null
    })
  return inFlight
}

/** One notification was read: one fewer, never below zero. */
export function countDown(): void {
  if (unread.value !== null) unread.value = Math.max(0, unread.value - 1)
}

/** Forgets the count (another user signs in on this device). */
export function forgetUnread(): void {
  unread.value = null
}

let owner: string | null = null

/** The count is one user's: another user's starts from nothing. */
export function countFor(userId: string): void {
  if (owner !== userId) forgetUnread()
  owner = userId
}

/** Keeps the count fresh while the calling component is mounted. */
export function useUnread(client: Pick<ApiClient, 'requestJSON'>, userId: string, target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window, doc: Document = document) {
  const onFocus = () => void refreshUnread(client)
  const onVisible = () => {
    if (doc.visibilityState === 'visible') void refreshUnread(client)
  }
  // The service worker says when a push has come.
  const onMessage = (event: MessageEvent) => {
    if ((event.data as { type?: unknown } | null)?.type === PUSH_MESSAGE) void refreshUnread(client)
  }
  const worker = typeof navigator !== 'undefined' && 'serviceWorker' in navigator ? navigator.serviceWorker : null
  countFor(userId)
  onMounted(() => {
    void refreshUnread(client)
    target.addEventListener('focus', onFocus)
    doc.addEventListener('visibilitychange', onVisible)
    worker?.addEventListener('message', onMessage)
  })
  onBeforeUnmount(() => {
    target.removeEventListener('focus', onFocus)
    doc.removeEventListener('visibilitychange', onVisible)
    worker?.removeEventListener('message', onMessage)
  })
  return unread
}
