import { createApp, ref } from 'vue'
import App from './App.vue'
import { ApiClient } from './api/client'
import { SessionStore, type Session } from './api/session'
import { appKey, type AppContext } from './context'
import { openMinxinDB } from './db'
import { i18n } from './i18n'
import { OUTBOX_CHANNEL, Outbox } from './outbox/outbox'
import { registerBackgroundSync, requestPersistentStorageOnce, startOutboxSync } from './outbox/sync'
import { createAppRouter } from './router'
import './styles.css'
import './forms.css'

/**
 * Runs work the first paint does not need once the page has loaded and the main thread is
 * idle (at most a few seconds later), so that it does not compete with the first render.
 */
function afterLoad(work: () => void): void {
  const idle = () => {
    if ('requestIdleCallback' in window) window.requestIdleCallback(() => work(), { timeout: 3000 })
    else setTimeout(work, 1)
  }
  if (document.readyState === 'complete') idle()
  else window.addEventListener('load', idle, { once: true })
}

function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.register('/sw.js').catch((err: unknown) => console.error('service worker registration failed', err))
}

async function start(): Promise<void> {
  const db = await openMinxinDB()
  const store = new SessionStore(db)
  const client = new ApiClient({ store })
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(OUTBOX_CHANNEL)
  const outbox = new Outbox({ db, transport: client, channel })

  const [session, count] = await Promise.all([store.get(), outbox.count()])
  const user = ref(session?.user ?? null)
  const unsynced = ref(count)
  const router = createAppRouter(user)

  const context: AppContext = {
    client,
    outbox,
    user,
    unsynced,
    async signedIn(session: Session) {
      user.value = session.user
      await outbox.sessionChanged()
    },
    async signOut() {
      await client.logout()
      user.value = null
      await outbox.sessionChanged()
    },
    async sessionLost() {
      await store.clear()
      user.value = null
      await outbox.sessionChanged()
      const current = router.currentRoute.value
      if (current.meta.auth) await router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
    },
  }

  outbox.subscribe((change) => {
    unsynced.value = change.count
    if (change.reason === 'enqueued') {
      requestPersistentStorageOnce().catch((err: unknown) => console.warn('persistent storage not granted', err))
    }
  })
  client.onAuthLost(() => void context.sessionLost())

  createApp(App).use(i18n).use(router).provide(appKey, context).mount('#app')
  // The outbox is drained on start all the same, just after the first paint; anything queued
  // before then is sent by that first drain.
  afterLoad(() => {
    startOutboxSync(outbox, { window, document, backgroundSync: registerBackgroundSync })
    registerServiceWorker()
  })
}

void start()
