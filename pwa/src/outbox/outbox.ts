import type { IDBPObjectStore } from 'idb'
import { API, type ApiClient } from '../api/client'
import { ApiError, AuthRequiredError, problemFrom, retryAfterMs, type Problem } from '../api/problem'
import type { MinxinDB, MinxinSchema } from '../db'
import { defaultLocks, type Locks } from '../locks'
import { uuid } from '../uuid'
import { containsPlaceholder, placeholderFor, resolvePlaceholder } from './placeholders'
import { backoffDelay, defaultBackoff, verdict, type BackoffPolicy } from './policy'
import type { AttemptError, ChangeReason, DrainResult, NewItem, OutboxChange, OutboxItem } from './types'

/** Held by whichever tab or service worker is sending: one request in flight per origin. */
const DRAIN_LOCK = 'minxin-outbox-drain'

/** Tabs and the service worker tell each other here that the outbox changed. */
export const OUTBOX_CHANNEL = 'minxin-outbox'

/** Background Sync tag under which the service worker drains the outbox. */
export const SYNC_TAG = 'minxin-outbox-sync'

export type OutboxTransport = Pick<ApiClient, 'request' | 'session'>

export interface ChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: () => void): void
  close(): void
}

export interface OutboxOptions {
  db: MinxinDB
  transport: OutboxTransport
  locks?: Locks
  channel?: ChannelLike | null
  now?: () => number
  random?: () => number
  backoff?: BackoffPolicy
  online?: () => boolean
}

type Outcome =
  | { kind: 'done'; attachmentId: string | null }
  | { kind: 'retry'; error: AttemptError; retryAfterMs: number | null }
  | { kind: 'refused'; problem: Problem }
  | { kind: 'auth' }

function browserOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false
}

/**
 * The offline outbox. Every field record is stored here first and sent later, in order,
 * one request at a time; an item leaves only after a 2xx answer.
 */
export class Outbox {
  private readonly db: MinxinDB
  private readonly transport: OutboxTransport
  private readonly locks: Locks
  private readonly channel: ChannelLike | null
  private readonly now: () => number
  private readonly random: () => number
  private readonly backoff: BackoffPolicy
  private readonly online: () => boolean
  private readonly listeners = new Set<(change: OutboxChange) => void>()
  private inflight: Promise<DrainResult> | null = null

  constructor(options: OutboxOptions) {
    this.db = options.db
    this.transport = options.transport
    this.locks = options.locks ?? defaultLocks()
    this.channel = options.channel ?? null
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.backoff = options.backoff ?? defaultBackoff
    this.online = options.online ?? browserOnline
    this.channel?.addEventListener('message', () => void this.announce('remote', false))
  }

  /** Stores a request for the signed-in user; it shows as waiting to sync until sent. */
  async enqueue(request: NewItem): Promise<OutboxItem> {
    const item = this.newItem(await this.requireOwner(), request, null)
    item.seq = await this.db.add('outbox', item)
    await this.announce('enqueued')
    return item
  }

  /**
   * Stores a file upload (POST /api/v1/attachments, multipart field "file") and answers the
   * placeholder to put where the attachment id belongs in records queued after it.
   */
  async enqueueUpload(file: Blob, name: string): Promise<string> {
    const owner = await this.requireOwner()
    const upload = { bytes: await file.arrayBuffer(), type: file.type || 'application/octet-stream', name }
    const item = this.newItem(owner, { kind: 'attachment', method: 'POST', url: `${API}/attachments`, body: null }, upload)
    await this.db.add('outbox', item)
    await this.announce('enqueued')
    return placeholderFor(item.id)
  }

  /** The signed-in user's items, in the order they will be sent. */
  async list(): Promise<OutboxItem[]> {
    const owner = await this.owner()
    return owner ? this.db.getAllFromIndex('outbox', 'owner', owner) : []
  }

  async count(): Promise<number> {
    const owner = await this.owner()
    return owner ? this.db.countFromIndex('outbox', 'owner', owner) : 0
  }

  subscribe(listener: (change: OutboxChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Tells subscribers the count again after a sign-in or sign-out changed whose items count. */
  sessionChanged(): Promise<void> {
    return this.announce('session', false)
  }

  /**
   * Sends due items in order until the queue is empty or an item cannot be sent now. With
   * force, the head item is tried even before its backoff has passed. Calls made while a
   * drain runs share it.
   */
  drain(options: { force?: boolean } = {}): Promise<DrainResult> {
    if (!this.inflight) {
      this.inflight = this.locks
        .tryRun(DRAIN_LOCK, () => this.drainLocked(options.force === true))
        .then((r): DrainResult => (r.ran ? r.value : { state: 'busy', sent: 0 }))
        .finally(() => {
          this.inflight = null
        })
    }
    return this.inflight
  }

  /** Lets a refused item be tried again now. */
  async retry(id: string): Promise<DrainResult> {
    const tx = this.db.transaction('outbox', 'readwrite')
    const item = await tx.store.index('id').get(id)
    if (item) {
      await tx.store.put({ ...item, blocked: null, attempts: 0, next_attempt_at: this.now(), last_error: null })
    }
    await tx.done
    await this.announce('retry')
    return this.drain({ force: true })
  }

  /** Drops an item for good. Records waiting for a discarded photo lose their reference to it. */
  async discard(id: string): Promise<void> {
    const tx = this.db.transaction('outbox', 'readwrite')
    const item = await tx.store.index('id').get(id)
    if (item?.seq !== undefined) {
      await tx.store.delete(item.seq)
      if (item.file) await this.resolveLater(tx.store, item, null)
    }
    await tx.done
    await this.announce('discarded')
  }

  close(): void {
    this.channel?.close()
  }

  private newItem(owner: string, request: NewItem, file: OutboxItem['file']): OutboxItem {
    const now = this.now()
    return {
      id: uuid(),
      owner,
      kind: request.kind,
      method: request.method,
      url: request.url,
      body: request.body,
      file,
      created_at: new Date(now).toISOString(),
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      blocked: null,
    }
  }

  private async owner(): Promise<string | null> {
    return (await this.transport.session())?.user.id ?? null
  }

  private async requireOwner(): Promise<string> {
    const owner = await this.owner()
    if (!owner) throw new AuthRequiredError()
    return owner
  }

  private async announce(reason: ChangeReason, broadcast = true): Promise<void> {
    const count = await this.count()
    for (const listener of this.listeners) listener({ reason, count })
    if (broadcast) this.channel?.postMessage('changed')
  }

  private async drainLocked(force: boolean): Promise<DrainResult> {
    let sent = 0
    for (;;) {
      const owner = await this.owner()
      if (!owner) return { state: 'signed_out', sent }
      const cursor = await this.db.transaction('outbox').store.index('owner').openCursor(owner)
      const head = cursor?.value
      if (!head) return { state: 'idle', sent }
      if (head.blocked) return { state: 'blocked', sent }
      if (!force && head.next_attempt_at > this.now()) {
        return { state: 'waiting', sent, next_attempt_at: head.next_attempt_at }
      }
      if (!this.online()) return { state: 'offline', sent }

      const outcome = await this.attempt(head)
      switch (outcome.kind) {
        case 'done':
          await this.complete(head, outcome.attachmentId)
          sent++
          continue
        case 'retry': {
          const next = await this.postpone(head, outcome.error, outcome.retryAfterMs)
          return { state: 'waiting', sent, next_attempt_at: next }
        }
        case 'refused':
          await this.update(head, 'blocked', (item) => ({
            ...item,
            attempts: item.attempts + 1,
            blocked: outcome.problem,
            last_error: { kind: 'http', status: outcome.problem.status, detail: outcome.problem.detail },
          }))
          return { state: 'blocked', sent }
        case 'auth':
          await this.update(head, 'failed', (item) => ({ ...item, last_error: { kind: 'auth' } }))
          return { state: 'signed_out', sent }
      }
    }
  }

  private async attempt(item: OutboxItem): Promise<Outcome> {
    const headers = { 'Idempotency-Key': item.id }
    let res: Response
    try {
      if (item.file) {
        const form = new FormData()
        form.append('file', new Blob([item.file.bytes], { type: item.file.type }), item.file.name)
        res = await this.transport.request(item.method, item.url, { form, headers })
      } else {
        res = await this.transport.request(item.method, item.url, { json: item.body, headers })
      }
    } catch (err) {
      if (err instanceof AuthRequiredError) return { kind: 'auth' }
      if (err instanceof ApiError) {
        // The token refresh itself answered 5xx or 429.
        return { kind: 'retry', error: { kind: 'http', status: err.status, detail: err.message }, retryAfterMs: err.retryAfterMs }
      }
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
      const detail = err instanceof Error ? err.message : String(err)
      return { kind: 'retry', error: { kind: timeout ? 'timeout' : 'network', detail }, retryAfterMs: null }
    }

    if (res.ok) return item.file ? this.uploaded(res) : { kind: 'done', attachmentId: null }
    const problem = await problemFrom(res)
    switch (verdict(res.status, problem.code)) {
      case 'done':
        return { kind: 'done', attachmentId: null }
      case 'auth':
        return { kind: 'auth' }
      case 'refused':
        return { kind: 'refused', problem }
      default:
        return {
          kind: 'retry',
          error: { kind: 'http', status: res.status, detail: problem.detail || problem.title },
          retryAfterMs: retryAfterMs(res, this.now()),
        }
    }
  }

  /** An upload answers {id, sha256, content_type, size}; the id replaces the placeholder. */
  private async uploaded(res: Response): Promise<Outcome> {
    let answer: unknown
    try {
      answer = await res.json()
    } catch {
      answer = null
    }
    const id = typeof answer === 'object' && answer !== null ? (answer as { id?: unknown }).id : undefined
    if (typeof id === 'string' && id !== '') return { kind: 'done', attachmentId: id }
    return {
      kind: 'refused',
      problem: { status: res.status, title: 'Unexpected upload answer', detail: '', code: 'unexpected_answer', errors: [] },
    }
  }

  private async complete(item: OutboxItem, attachmentId: string | null): Promise<void> {
    const tx = this.db.transaction('outbox', 'readwrite')
    await tx.store.delete(item.seq!)
    if (attachmentId !== null) await this.resolveLater(tx.store, item, attachmentId)
    await tx.done
    await this.announce('sent')
  }

  /** Rewrites the placeholder for an upload in the same owner's later items. */
  private async resolveLater(
    store: IDBPObjectStore<MinxinSchema, ['outbox'], 'outbox', 'readwrite'>,
    upload: OutboxItem,
    attachmentId: string | null,
  ): Promise<void> {
    const placeholder = placeholderFor(upload.id)
    let cursor = await store.index('owner').openCursor(upload.owner)
    while (cursor) {
      const item = cursor.value
      if (item.seq! > upload.seq! && containsPlaceholder(item.body, placeholder)) {
        await cursor.update({ ...item, body: resolvePlaceholder(item.body, placeholder, attachmentId) })
      }
      cursor = await cursor.continue()
    }
  }

  private async postpone(item: OutboxItem, error: AttemptError, retryAfter: number | null): Promise<number> {
    let next = this.now()
    await this.update(item, 'failed', (current) => {
      const attempts = current.attempts + 1
      next = this.now() + Math.max(retryAfter ?? 0, backoffDelay(attempts, this.backoff, this.random))
      return { ...current, attempts, next_attempt_at: next, last_error: error }
    })
    return next
  }

  /** Read-modify-write of one item; an item discarded meanwhile stays discarded. */
  private async update(item: OutboxItem, reason: ChangeReason, change: (current: OutboxItem) => OutboxItem): Promise<void> {
    const tx = this.db.transaction('outbox', 'readwrite')
    const current = await tx.store.get(item.seq!)
    if (current) await tx.store.put(change(current))
    await tx.done
    await this.announce(reason)
  }
}
