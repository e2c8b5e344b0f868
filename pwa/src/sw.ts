/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { ApiClient } from './api/client'
import { SessionStore } from './api/session'
import { openMinxinDB } from './db'
import { OUTBOX_CHANNEL, Outbox, SYNC_TAG } from './outbox/outbox'

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
