import { SYNC_TAG, type Outbox } from './outbox'
import type { DrainResult } from './types'

interface Events {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

export interface SyncOptions {
  /** Fires "online" (the window). */
  window: Events
  /** Fires "visibilitychange" (the document). */
  document: Events & { readonly visibilityState: DocumentVisibilityState }
  /** How often to try anyway, in ms. */
  intervalMs?: number
  /** Asks the browser to wake the service worker when the network returns. */
  backgroundSync?: () => Promise<void>
  now?: () => number
}

/**
 * Drains the outbox on start, when the network comes back, when the app becomes visible,
 * after something is queued or discarded, when the head item's backoff ends, and on a timer.
 * Answers a function that stops it.
 */
export function startOutboxSync(outbox: Pick<Outbox, 'drain' | 'subscribe'>, options: SyncOptions): () => void {
  const now = options.now ?? Date.now
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  const settle = (result: DrainResult) => {
    clearTimeout(timer)
    if (stopped) return
    if (result.state === 'waiting' && result.next_attempt_at !== undefined) {
      timer = setTimeout(() => run(false), Math.max(0, result.next_attempt_at - now()))
    }
    if ((result.state === 'waiting' || result.state === 'offline') && options.backgroundSync) {
      options.backgroundSync().catch((err: unknown) => console.warn('background sync unavailable', err))
    }
  }
  const run = (force: boolean) => {
    outbox.drain({ force }).then(settle, (err: unknown) => console.error('outbox drain failed', err))
  }

  const onOnline = () => run(true)
  const onVisibility = () => {
    if (options.document.visibilityState === 'visible') run(false)
  }
  options.window.addEventListener('online', onOnline)
  options.document.addEventListener('visibilitychange', onVisibility)
  const interval = setInterval(() => run(false), options.intervalMs ?? 60_000)
  const unsubscribe = outbox.subscribe((change) => {
    // Something new to send, a new user's items, or a discarded head that held the rest back.
    if (change.reason === 'enqueued' || change.reason === 'session' || change.reason === 'discarded') run(false)
  })
  run(false)

  return () => {
    stopped = true
    clearTimeout(timer)
    clearInterval(interval)
    unsubscribe()
    options.window.removeEventListener('online', onOnline)
    options.document.removeEventListener('visibilitychange', onVisibility)
  }
}

/** Registers a Background Sync where the browser has it (an extra: the page drains anyway). */
export async function registerBackgroundSync(): Promise<void> {
  if (!('serviceWorker' in navigator)) return
  const registration = await navigator.serviceWorker.getRegistration()
  if (registration && 'sync' in registration) {
    await (registration.sync as { register(tag: string): Promise<void> }).register(SYNC_TAG)
  }
}

const PERSIST_FLAG = 'minxin.persist-requested'

/** Asks once that the browser keep this origin's storage (the outbox) under storage pressure. */
export async function requestPersistentStorageOnce(): Promise<void> {
  if (localStorage.getItem(PERSIST_FLAG) || !navigator.storage?.persist) return
  localStorage.setItem(PERSIST_FLAG, new Date().toISOString())
  await navigator.storage.persist()
}
