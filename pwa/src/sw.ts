/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { ApiClient } from './api/client'
import { SessionStore } from './api/session'
import { openMinxinDB } from './db'
import { OUTBOX_CHANNEL, Outbox, SYNC_TAG } from './outbox/outbox'
import { clickUrl, PUSH_MESSAGE, pushNotification } from './pushPayload'

declare let self: ServiceWorkerGlobalScope

/** Background Sync (not in TypeScript's lib): fired when the browser has a network again. */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string
}

// The app shell: index.html and the hashed assets of this build, so the app opens offline.
precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

// SPA routes open the precached index.html. API calls and the server's own endpoints are
// never answered from a cache; the service worker does not handle them at all.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [/^\/api\//, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/],
  }),
)

/**
 * Sends the outbox while no page may be open. Another tab draining at the same time holds
 * the same Web Lock, so only one of them sends. Rejecting asks the browser to try later.
 */
async function drainOutbox(): Promise<void> {
  const db = await openMinxinDB()
  const channel = new BroadcastChannel(OUTBOX_CHANNEL)
  const outbox = new Outbox({ db, transport: new ApiClient({ store: new SessionStore(db) }), channel })
  try {
    const result = await outbox.drain({ force: true })
    if (result.state === 'waiting' || result.state === 'offline') {
      throw new Error(`outbox not drained (${result.state}); the browser retries this sync later`)
    }
  } finally {
    outbox.close()
    db.close()
  }
}

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent
  if (sync.tag === SYNC_TAG) sync.waitUntil(drainOutbox())
})

// ---- Web Push (reminders, product.md §8) ----
// The server sends {id, kind, title, body, link}; the notification is tagged with the id, so
// that the same reminder sent again replaces rather than repeats it. The open pages are told,
// so that their bell counts it.
self.addEventListener('push', (event) => {
  const shown = pushNotification(event.data?.text() ?? null)
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(shown.title, shown.options),
      self.clients
        .matchAll({ type: 'window' })
        .then((clients) => clients.forEach((c) => c.postMessage({ type: PUSH_MESSAGE, id: shown.options.data.id }))),
    ]),
  )
})

/** Focuses an open window of the app and takes it to the link, or opens a new one there. */
async function openLink(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const same = windows.filter((c) => new URL(c.url).origin === self.location.origin)
  const client = same.find((c) => c.focused) ?? same.find((c) => c.visibilityState === 'visible') ?? same[0]
  if (client) {
    try {
      const focused = await client.focus()
      if (focused.url === url) return
      const moved = await focused.navigate(url)
      if (moved) return
    } catch (err) {
      console.warn('could not take the open window to the reminder; opening a new one', err)
    }
  }
  await self.clients.openWindow(url)
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  event.waitUntil(openLink(clickUrl(event.notification.data, self.location.origin)))
})
