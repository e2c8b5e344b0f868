import type { Problem } from '../api/problem'

export type OutboxMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A photo (or other file) waiting to be uploaded as the multipart field "file". */
export interface UploadFile {
  bytes: ArrayBuffer
  type: string
  name: string
}

/** Why the last attempt did not succeed; the item stays and is tried again. */
export interface AttemptError {
  kind: 'network' | 'timeout' | 'auth' | 'http'
  status?: number
  detail?: string
}

export interface OutboxItem {
  /** Position in the queue, given by IndexedDB; items are sent in this order. */
  seq?: number
  /** This item's own UUID, sent as Idempotency-Key. */
  id: string
  /** The user who made the record; only that user's session sends it. */
  owner: string
  /**
   * What the item is, named for people by the outbox.kinds translations ("attachment",
   * "overnight_checkin", "visit", …); a kind without one shows as its method and URL.
   */
  kind: string
  method: OutboxMethod
  url: string
  /** The JSON body; null for uploads. */
  body: unknown
  file: UploadFile | null
  created_at: string
  attempts: number
  /** Not sent before this time (ms since the epoch), unless forced. */
  next_attempt_at: number
  last_error: AttemptError | null
  /** Set when the server refused the item for good; it waits for the user to retry or discard it. */
  blocked: Problem | null
}

export interface NewItem {
  kind: string
  method: OutboxMethod
  url: string
  body: unknown
}

export type DrainState =
  | 'idle' // nothing left to send
  | 'waiting' // the head item is waiting for its next attempt
  | 'blocked' // the head item needs the user
  | 'offline'
  | 'signed_out' // no usable session: sign in to continue
  | 'busy' // another tab or the service worker is draining

export interface DrainResult {
  state: DrainState
  sent: number
  next_attempt_at?: number
}

export type ChangeReason = 'enqueued' | 'sent' | 'failed' | 'blocked' | 'retry' | 'discarded' | 'remote' | 'session'

export interface OutboxChange {
  reason: ChangeReason
  count: number
}
