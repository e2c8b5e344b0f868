import type { PetitionDeadlines, PetitionState, TrackedPetition } from '../../api/petitions'

/** How a state looks: in progress, waiting for the petitioner, finished, or stopped. */
export type StateTone = 'progress' | 'yourTurn' | 'done' | 'stopped'

const TONES: Record<PetitionState, StateTone> = {
  submitted: 'progress',
  accepted: 'progress',
  assigned: 'progress',
  review_requested: 'progress',
  rereview_requested: 'progress',
  replied: 'yourTurn',
  reviewed: 'yourTurn',
  closed: 'done',
  rereviewed: 'done',
  not_accepted: 'stopped',
  withdrawn: 'stopped',
}

export function stateTone(state: PetitionState): StateTone {
  return TONES[state] ?? 'progress'
}

/**
 * The deadline that concerns the petitioner now: what the office owes them next, or by when
 * they may still ask for a review. Only the one that belongs to the current state, and only
 * when the server gave it.
 */
const DEADLINE_OF_STATE: Partial<Record<PetitionState, keyof PetitionDeadlines>> = {
  submitted: 'accept_by',
  accepted: 'reply_by',
  assigned: 'reply_by',
  replied: 'review_request_by',
  review_requested: 'review_by',
  reviewed: 'rereview_request_by',
  rereview_requested: 'rereview_by',
}

export interface Deadline {
  /** i18n key under villager.track.deadlines. */
  key: keyof PetitionDeadlines
  date: string
  /** The office's own step is late (never said of the petitioner's own deadlines). */
  late: boolean
}

export function currentDeadline(p: Pick<TrackedPetition, 'state' | 'deadlines' | 'overdue'>): Deadline | null {
  const key = DEADLINE_OF_STATE[p.state]
  if (!key) return null
  const date = p.deadlines[key]
  if (!date) return null
  const petitionersOwn = key === 'review_request_by' || key === 'rereview_request_by'
  return { key, date, late: p.overdue && !petitionersOwn }
}

const EVENT_ACTIONS = new Set([
  'submit',
  'accept',
  'reject',
  'assign',
  'extend',
  'reply',
  'feedback',
  'request-review',
  'review',
  'request-rereview',
  'rereview',
  'withdraw',
  'close',
])

/** The i18n key under villager.track.events for an event's action ("other" for one unknown here). */
export function eventKey(action: string): string {
  return EVENT_ACTIONS.has(action) ? action.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) : 'other'
}

/** Which review the petitioner may ask for now, if any. */
export function reviewOption(p: Pick<TrackedPetition, 'options'>): 'request-review' | 'request-rereview' | null {
  if (p.options.includes('request-review')) return 'request-review'
  if (p.options.includes('request-rereview')) return 'request-rereview'
  return null
}

/** A date of the server (YYYY-MM-DD) in the reader's language, e.g. 2026年12月10日. */
export function localDate(locale: string, date: string): string {
  const [y, m, d] = date.split('-').map(Number)
  if (!y || !m || !d) return date
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d))
}
