import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { Directory, PetitionCreate } from '../../api/petitions'
import type { FieldError } from '../../api/problem'
import { uuid } from '../../uuid'

/** The steps of the villager's petition, in order. */
export const STEPS = ['where', 'kind', 'what', 'who', 'review'] as const
export type Step = (typeof STEPS)[number]

export const LIMITS = {
  subject: 200,
  text: 5000,
  name: 50,
  photos: 6,
} as const

export interface DraftPhoto {
  /** Local key of the photo in this draft. */
  key: string
  /** The resized JPEG. */
  blob: Blob
  name: string
  /** The server's attachment id once uploaded. */
  attachment_id: string | null
}

/**
 * What the villager has typed so far. It is kept on this device until the server has
 * accepted the petition, so that nothing is lost on a bad connection or a reload.
 */
export interface PetitionDraft {
  /** Sent as Idempotency-Key with every attempt of this draft. */
  key: string
  step: Step
  township_id: string
  village_id: string
  category: string
  subject: string
  text: string
  /** null until the villager has chosen. */
  anonymous: boolean | null
  name: string
  phone: string
  photos: DraftPhoto[]
  updated_at: number
}

export function emptyDraft(now = Date.now()): PetitionDraft {
  return {
    key: uuid(),
    step: 'where',
    township_id: '',
    village_id: '',
    category: '',
    subject: '',
    text: '',
    anonymous: null,
    name: '',
    phone: '',
    photos: [],
    updated_at: now,
  }
}

/** A problem with one field, as an i18n key under villager.errors and its parameters. */
export interface DraftError {
  field: string
  key: string
  params?: Record<string, unknown>
  /** The server's own message, when the server found it. */
  server?: string
}

/** Characters as the server counts them (Unicode code points). */
export function length(s: string): number {
  return Array.from(s).length
}

/** The phone as it is sent: spaces and dashes removed. */
export function normalizePhone(phone: string): string {
  return phone.replace(/[\s-]/g, '')
}

export function validPhone(phone: string): boolean {
  return /^\+?\d{7,15}$/.test(normalizePhone(phone))
}

function required(errors: DraftError[], field: string, value: string, max: number): void {
  if (value.trim() === '') errors.push({ field, key: 'required' })
  else if (length(value) > max) errors.push({ field, key: 'tooLong', params: { max } })
}

/** The problems that stop the villager from leaving a step. */
export function validateStep(step: Step, draft: PetitionDraft, directory: Directory | null): DraftError[] {
  const errors: DraftError[] = []
  switch (step) {
    case 'where': {
      const township = directory?.townships.find((t) => t.id === draft.township_id)
      if (!township) errors.push({ field: 'township_id', key: 'chooseTownship' })
      else if (draft.village_id !== '' && !township.villages.some((v) => v.id === draft.village_id)) {
        errors.push({ field: 'village_id', key: 'chooseVillage' })
      }
      break
    }
    case 'kind':
      if (!directory?.petition_categories.some((c) => c.code === draft.category)) errors.push({ field: 'category', key: 'chooseCategory' })
      break
    case 'what':
      required(errors, 'subject', draft.subject, LIMITS.subject)
      required(errors, 'text', draft.text, LIMITS.text)
      if (draft.photos.length > LIMITS.photos) errors.push({ field: 'photos', key: 'tooManyPhotos', params: { max: LIMITS.photos } })
      break
    case 'who':
      if (draft.anonymous === null) errors.push({ field: 'anonymous', key: 'chooseWho' })
      else if (!draft.anonymous) {
        required(errors, 'name', draft.name, LIMITS.name)
        if (normalizePhone(draft.phone) === '') errors.push({ field: 'phone', key: 'required' })
        else if (!validPhone(draft.phone)) errors.push({ field: 'phone', key: 'phone' })
      }
      break
    case 'review':
      break
  }
  return errors
}

/** The first step that still has a problem, or review when all are done. */
export function firstIncompleteStep(draft: PetitionDraft, directory: Directory | null): Step {
  return STEPS.find((s) => validateStep(s, draft, directory).length > 0) ?? 'review'
}

/** The furthest step the villager may open: no step past one that still has a problem. */
export function reachableStep(wanted: Step, draft: PetitionDraft, directory: Directory | null): Step {
  const first = STEPS.indexOf(firstIncompleteStep(draft, directory))
  return STEPS[Math.min(STEPS.indexOf(wanted), first)]
}

/** The request body; an anonymous report carries nothing about the petitioner. */
export function toRequest(draft: PetitionDraft): PetitionCreate {
  const anonymous = draft.anonymous === true
  return {
    channel: 'online',
    township_id: draft.township_id,
    village_id: draft.village_id === '' ? null : draft.village_id,
    category: draft.category,
    subject: draft.subject.trim(),
    text: draft.text.trim(),
    anonymous,
    petitioner: anonymous ? null : { name: draft.name.trim(), phone: normalizePhone(draft.phone) },
    attachment_ids: draft.photos.map((p) => p.attachment_id).filter((id): id is string => id !== null),
  }
}

/** Which step shows each field the server may name. */
const FIELD_STEPS: Record<string, { step: Step; field: string }> = {
  township_id: { step: 'where', field: 'township_id' },
  village_id: { step: 'where', field: 'village_id' },
  category: { step: 'kind', field: 'category' },
  subject: { step: 'what', field: 'subject' },
  text: { step: 'what', field: 'text' },
  attachment_ids: { step: 'what', field: 'photos' },
  file: { step: 'what', field: 'photos' },
  anonymous: { step: 'who', field: 'anonymous' },
  petitioner: { step: 'who', field: 'anonymous' },
  'petitioner.name': { step: 'who', field: 'name' },
  'petitioner.phone': { step: 'who', field: 'phone' },
}

/**
 * Places the server's field errors on the draft's fields and answers the earliest step that
 * shows one (review when the server named no field the villager can change).
 */
export function placeServerErrors(errors: FieldError[]): { step: Step; errors: DraftError[] } {
  const placed: DraftError[] = []
  let step: Step = 'review'
  for (const e of errors) {
    const target = FIELD_STEPS[e.field] ?? FIELD_STEPS[e.field.split('.')[0]] ?? { step: 'review' as Step, field: e.field }
    placed.push({ field: target.field, key: 'server', server: e.message })
    if (STEPS.indexOf(target.step) < STEPS.indexOf(step)) step = target.step
  }
  return { step, errors: placed }
}

interface DraftSchema extends DBSchema {
  drafts: { key: string; value: PetitionDraft }
}

const DRAFT_KEY = 'petition'

/**
 * Keeps the draft (photos included) in its own IndexedDB database, apart from the staff's
 * outbox and session: a petition is not a field record and belongs to nobody's login.
 */
export class DraftStore {
  private db: Promise<IDBPDatabase<DraftSchema>> | null = null

  constructor(private readonly name = 'minxin-villager') {}

  private open(): Promise<IDBPDatabase<DraftSchema>> {
    this.db ??= openDB<DraftSchema>(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('drafts')
      },
    })
    return this.db
  }

  async load(): Promise<PetitionDraft | undefined> {
    return (await this.open()).get('drafts', DRAFT_KEY)
  }

  async save(draft: PetitionDraft): Promise<void> {
    await (await this.open()).put('drafts', { ...draft, photos: draft.photos.map((p) => ({ ...p })) }, DRAFT_KEY)
  }

  async clear(): Promise<void> {
    await (await this.open()).delete('drafts', DRAFT_KEY)
  }

  close(): void {
    void this.db?.then((db) => db.close())
    this.db = null
  }
}

/** Whether the draft holds anything the villager typed or chose. */
export function hasContent(draft: PetitionDraft): boolean {
  return (
    draft.township_id !== '' ||
    draft.category !== '' ||
    draft.subject.trim() !== '' ||
    draft.text.trim() !== '' ||
    draft.name.trim() !== '' ||
    draft.phone.trim() !== '' ||
    draft.photos.length > 0
  )
}
