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

function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  const register = () => {
    navigator.serviceWorker.register('/sw.js').catch((err: unknown) => console.error('service worker registration failed', err))
  }
  if (document.readyState === 'complete') register()
  else window.addEventListener('load', register, { once: true })
}

async function start(): Promise<void> {
  const db = await openMinxinDB()
  const store = new SessionStore(db)
  const client = new ApiClient({ store })
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(OUTBOX_CHANNEL)
  const outbox = new Outbox({ db, transport: client, channel })

  const user = ref((await store.get())?.user ?? null)
  const unsynced = ref(await outbox.count())
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
  startOutboxSync(outbox, { window, document, backgroundSync: registerBackgroundSync })

  createApp(App).use(i18n).use(router).provide(appKey, context).mount('#app')
  registerServiceWorker()
}

void start()
