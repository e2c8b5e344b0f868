export interface BackoffPolicy {
  baseMs: number
  capMs: number
}

export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000 }

/**
 * Exponential backoff with full jitter: a uniformly random delay between 0 and
 * min(cap, base · 2^(attempt − 1)). attempt counts from 1.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

/** 404 codes that mean "the record this one refers to has not reached the server yet". */
export const parentMissingCodes: readonly string[] = ['parent_not_found', 'stay_not_found']

/**
 * 409 codes that mean "this very record is stored already": an earlier send reached the
 * server but its answer was lost. A finding has no client-chosen id and the server keeps one
 * per record and round, so its re-send answers 409 finding_exists; the item is delivered.
 */
export const alreadyStoredCodes: readonly string[] = ['finding_exists']

export type Verdict = 'done' | 'retry' | 'auth' | 'refused'

/**
 * What an answer means for an outbox item. 2xx: sent (a re-sent identical record answers
 * 2xx too). 401: sign in again. 408, 425, 429, 5xx, and 404 for a parent that has not
 * arrived: try again later. 409 with a code of alreadyStoredCodes: delivered
 * before. Any other 4xx (409: same id, other content) never succeeds.
 */
export function verdict(status: number, code: string): Verdict {
  if (status >= 200 && status < 300) return 'done'
  if (status === 409 && alreadyStoredCodes.includes(code)) return 'done'
  if (status === 401) return 'auth'
  if (status === 404 && parentMissingCodes.includes(code)) return 'retry'
  if (status === 408 || status === 425 || status === 429) return 'retry'
  // The user's password was reset: the queue waits until they have changed it.
  if (status === 403 && code === 'password_change_required') return 'retry'
  if (status >= 400 && status < 500) return 'refused'
  return 'retry'
}
