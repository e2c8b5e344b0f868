/**
 * The inbox's paging (cursor pages, newest first), the copy of the last list kept in IndexedDB
 * (a database of its own, `minxin-inbox`, one list per user) for reading without signal, and
 * the badge's words. No Vue here, so that it is tested without a page.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { isOffline } from '../../api/duties'
import type { Notification, NotificationPage } from '../../api/notifications'
import { safeLink } from '../../pushPayload'

/** How many notifications of the list are kept for offline reading. */
export const KEEP_ITEMS = 100

export interface SavedList {
  owner: string
  /** When the list was fetched, ms since the epoch. */
  fetched_at: number
  items: Notification[]
}

interface InboxSchema extends DBSchema {
  lists: { key: string; value: SavedList }
}

export class SavedInbox {
  private db: Promise<IDBPDatabase<InboxSchema>> | null = null

  constructor(
    private readonly name = 'minxin-inbox',
    private readonly keep = KEEP_ITEMS,
  ) {}

  private open(): Promise<IDBPDatabase<InboxSchema>> {
    this.db ??= openDB<InboxSchema>(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('lists', { keyPath: 'owner' })
      },
    })
    return this.db
  }

  async save(owner: string, items: Notification[], fetchedAt: number): Promise<void> {
    await (await this.open()).put('lists', { owner, fetched_at: fetchedAt, items: items.slice(0, this.keep) })
  }

  async get(owner: string): Promise<SavedList | undefined> {
    return (await this.open()).get('lists', owner)
  }

  /** Marks one kept notification read, so that the offline copy agrees with the server. */
  async markRead(owner: string, id: string, readAt: string): Promise<void> {
    const db = await this.open()
    const tx = db.transaction('lists', 'readwrite')
    const list = await tx.store.get(owner)
    if (list) {
      const item = list.items.find((n) => n.id === id)
      if (item && !item.read_at) {
        item.read_at = readAt
        await tx.store.put(list)
      }
    }
    await tx.done
  }

  close(): void {
    void this.db?.then((db) => db.close())
    this.db = null
  }
}

export interface InboxState {
  items: Notification[]
  /** The cursor of the next page; null once the last page has come. */
  cursor: string | null
  /** Every page has come (or, offline, the kept copy is all there is). */
  finished: boolean
  /** The list shown is the copy kept on this device: the network failed. */
  offline: boolean
  /** When the shown list was fetched (ms), null before the first answer. */
  fetchedAt: number | null
  /** The last page could not be fetched; another loadMore() retries it. */
  failed: boolean
}

export function emptyInbox(): InboxState {
  return { items: [], cursor: null, finished: false, offline: false, fetchedAt: null, failed: false }
}

export interface InboxOptions {
  owner: string
  fetchPage: (cursor: string | null) => Promise<NotificationPage>
  saved: Pick<SavedInbox, 'save' | 'get' | 'markRead'>
  now?: () => number
}

/**
 * The list of one user's notifications, a page at a time. The first page's answer (and every
 * later page) is kept on this device; when the first page cannot be fetched for want of a
 * network the kept copy is shown with the time it was fetched, and paging stops there. An
 * answer of the server (an error) is never hidden behind the copy: it is thrown.
 */
export class InboxPager {
  private started = false
  private readonly now: () => number

  /** state may be given (a Vue reactive object) so that a page shows every change. */
  constructor(
    private readonly options: InboxOptions,
    readonly state: InboxState = emptyInbox(),
  ) {
    this.now = options.now ?? Date.now
  }

  /** Fetches the next page (the first one on the first call). */
  async loadMore(): Promise<void> {
    const s = this.state
    if (s.finished) return
    const first = !this.started
    try {
      const page = await this.options.fetchPage(first ? null : s.cursor)
      this.started = true
      s.failed = false
      const seen = new Set(s.items.map((n) => n.id))
      s.items.push(...page.items.filter((n) => !seen.has(n.id)))
      s.cursor = page.next_cursor
      s.finished = page.next_cursor === null || page.items.length === 0
      if (first) s.fetchedAt = this.now()
      s.offline = false
      await this.keep()
    } catch (err) {
      if (!isOffline(err)) {
        s.failed = true
        throw err
      }
      if (!first) {
        s.failed = true
        return
      }
      const copy = await this.options.saved.get(this.options.owner).catch(() => undefined)
      if (!copy) {
        s.failed = true
        throw err
      }
      s.items = copy.items.map((n) => ({ ...n }))
      s.fetchedAt = copy.fetched_at
      s.offline = true
      s.finished = true
    }
  }

  /** Starts again from the first page (pull to refresh, back online). */
  async reload(): Promise<void> {
    Object.assign(this.state, { items: [], cursor: null, finished: false, offline: false, failed: false })
    this.started = false
    await this.loadMore()
  }

  /**
   * Marks a notification read: first on the server, then here and in the kept copy. Answers
   * whether it was unread (the badge then counts one fewer).
   */
  async markRead(id: string, send: (id: string) => Promise<void>): Promise<boolean> {
    const item = this.state.items.find((n) => n.id === id)
    if (!item || item.read_at) return false
    await send(id)
    const readAt = new Date(this.now()).toISOString()
    item.read_at = readAt
    await this.options.saved.markRead(this.options.owner, id, readAt).catch((err: unknown) => console.warn('could not update the kept inbox', err))
    return true
  }

  private async keep(): Promise<void> {
    if (this.state.offline || this.state.fetchedAt === null) return
    try {
      // Plain copies: the state may be a Vue proxy, which IndexedDB cannot clone.
      await this.options.saved.save(this.options.owner, this.state.items.map((n) => ({ ...n })), this.state.fetchedAt)
    } catch (err) {
      console.warn('could not keep the inbox for offline use', err)
    }
  }
}

/** The badge on the bell: nothing at 0, "99+" above 99. */
export function badgeText(unread: number): string | undefined {
  if (!Number.isFinite(unread) || unread <= 0) return undefined
  return unread > 99 ? '99+' : String(Math.floor(unread))
}

/** The path a notification opens: only a path of this app, else the inbox itself. */
export const linkTarget = safeLink
