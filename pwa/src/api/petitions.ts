import { API } from './client'
import { apiLanguage } from './language'
import { apiError } from './problem'

/**
 * The public petition API a villager uses without an account: the directory, photo uploads,
 * submission, tracking with code and PIN, and the petitioner's own actions. These requests
 * carry no token; the server knows the petitioner by the tracking code and PIN alone.
 */

export interface DirectoryVillage {
  id: string
  name: string
}

export interface DirectoryTownship {
  id: string
  name: string
  villages: DirectoryVillage[]
}

export interface PetitionCategory {
  code: string
  name_zh: string
  name_en: string
}

export interface Directory {
  townships: DirectoryTownship[]
  petition_categories: PetitionCategory[]
}

export interface PetitionCreate {
  channel: 'online'
  township_id: string
  village_id: string | null
  category: string
  subject: string
  text: string
  anonymous: boolean
  petitioner: { name: string; phone: string } | null
  attachment_ids: string[]
}

export interface PetitionSubmitted {
  id: string
  tracking_code: string
  pin: string
}

export type PetitionState =
  | 'submitted'
  | 'accepted'
  | 'not_accepted'
  | 'assigned'
  | 'replied'
  | 'closed'
  | 'review_requested'
  | 'reviewed'
  | 'rereview_requested'
  | 'rereviewed'
  | 'withdrawn'

export type PetitionRating = 'satisfied' | 'basically_satisfied' | 'dissatisfied'

export type PetitionerAction = 'feedback' | 'request-review' | 'request-rereview' | 'withdraw'

export interface PetitionDeadlines {
  accept_by?: string
  reply_by?: string
  review_request_by?: string
  review_by?: string
  rereview_request_by?: string
  rereview_by?: string
}

export interface TrackedEvent {
  at: string
  action: string
  from_state: PetitionState | null
  to_state: PetitionState
  reason?: string
  guidance?: string
  text?: string
  days?: number
  rating?: PetitionRating
}

export interface TrackedPetition {
  id: string
  tracking_code: string
  channel: string
  category: string
  subject: string
  text: string
  state: PetitionState
  received_on: string
  deadlines: PetitionDeadlines
  overdue: boolean
  extension_days: number
  rating: PetitionRating | null
  events: TrackedEvent[]
  options: PetitionerAction[]
}

/** The code and PIN that stand in for a login. */
export interface PetitionCredentials {
  tracking_code: string
  pin: string
}

export interface PetitionApiOptions {
  fetch?: typeof fetch
  now?: () => number
  timeoutMs?: number
}

const ACCEPT = 'application/json, application/problem+json'

export class PetitionApi {
  private readonly fetchFn: typeof fetch
  private readonly now: () => number
  private readonly timeoutMs: number

  constructor(options: PetitionApiOptions = {}) {
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init))
    this.now = options.now ?? Date.now
    this.timeoutMs = options.timeoutMs ?? 60_000
  }

  /** Townships with their villages and the petition categories in force today. */
  directory(): Promise<Directory> {
    return this.json<Directory>('GET', `${API}/directory`)
  }

  /** Uploads one photo without an account; answers the attachment id. */
  async uploadPhoto(photo: Blob, name: string): Promise<string> {
    const form = new FormData()
    form.append('file', photo, name)
    const out = await this.json<{ id: string }>('POST', `${API}/attachments`, { body: form })
    return out.id
  }

  /**
   * Sends a petition through the online channel. The idempotency key stays the same for every
   * retry of one draft, so that a retry after a lost answer is not a second petition where the
   * server honours the key.
   */
  submit(petition: PetitionCreate, idempotencyKey: string): Promise<PetitionSubmitted> {
    return this.json<PetitionSubmitted>('POST', `${API}/petitions`, {
      body: JSON.stringify(petition),
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    })
  }

  /** The petition as its petitioner sees it; a wrong code or PIN is a 404 ApiError. */
  track(cred: PetitionCredentials): Promise<TrackedPetition> {
    const query = new URLSearchParams({ code: cred.tracking_code, pin: cred.pin })
    return this.json<TrackedPetition>('GET', `${API}/petitions/track?${query.toString()}`)
  }

  /** One of the petitioner's actions, by code and PIN. */
  async act(id: string, action: PetitionerAction, cred: PetitionCredentials, body: { rating?: PetitionRating; reason?: string }): Promise<void> {
    await this.json<unknown>('POST', `${API}/petitions/${encodeURIComponent(id)}/${action}`, {
      body: JSON.stringify({ ...body, tracking_code: cred.tracking_code, pin: cred.pin }),
      headers: { 'Content-Type': 'application/json' },
    })
  }

  private async json<T>(method: string, url: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<T> {
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(new DOMException('request timed out', 'TimeoutError')), this.timeoutMs)
    let res: Response
    try {
      res = await this.fetchFn(url, { method, headers: { Accept: ACCEPT, 'Accept-Language': apiLanguage(), ...init.headers }, body: init.body, signal: abort.signal })
    } finally {
      clearTimeout(timer)
    }
    if (!res.ok) throw await apiError(res, this.now())
    return (await res.json()) as T
  }
}
