/**
 * A petition registered by the day's receiver (定点接访) for a villager who came in person:
 * the form's model, its checks, the request it becomes and the server's field errors placed
 * on its fields. Pure apart from the three requests at the end, so that it can be tested
 * without a page.
 */
import type { ApiClient } from '../../api/client'
import { API } from '../../api/client'
import { readAll } from '../../api/duties'
import type { PetitionSubmitted } from '../../api/petitions'
import type { FieldError } from '../../api/problem'
import type { User } from '../../api/session'
import { uuid } from '../../uuid'

export const LIMITS = { subject: 200, text: 5000, name: 50, about: 20 } as const

export interface ReceptionForm {
  /** Idempotency-Key of this registration: the same for every retry until the server answers 2xx. */
  key: string
  /** '' when the matter is not about one village. */
  village_id: string
  category: string
  subject: string
  text: string
  anonymous: boolean
  name: string
  phone: string
  /** Officials the complaint is about; they never see it. */
  about: string[]
  /** The photo's attachment once uploaded, so that a retry does not upload it again. */
  attachment_id: string | null
}

export interface ReceptionPetitionCreate {
  channel: 'reception'
  township_id: string
  village_id: string | null
  category: string
  subject: string
  text: string
  anonymous: boolean
  petitioner: { name: string; phone: string } | null
  about_official_ids: string[]
  attachment_ids: string[]
}

/** A problem on one field: an i18n key under official.receptionForm.errors, or the server's words. */
export interface FormError {
  field: string
  key?: string
  params?: Record<string, number>
  message?: string
}

export function emptyForm(key: string = uuid()): ReceptionForm {
  return { key, village_id: '', category: '', subject: '', text: '', anonymous: false, name: '', phone: '', about: [], attachment_id: null }
}

const length = (s: string) => Array.from(s).length
export const normalizePhone = (phone: string) => phone.replace(/[\s-]/g, '')
export const validPhone = (phone: string) => /^\+?\d{7,15}$/.test(normalizePhone(phone))

function required(errors: FormError[], field: string, value: string, max: number): void {
  if (value.trim() === '') errors.push({ field, key: 'required' })
  else if (length(value.trim()) > max) errors.push({ field, key: 'tooLong', params: { max } })
}

/** What stops the form from being sent; categories are the codes in force (from the directory). */
export function validate(form: ReceptionForm, categories: readonly string[]): FormError[] {
  const errors: FormError[] = []
  if (!form.category) errors.push({ field: 'category', key: 'chooseCategory' })
  else if (categories.length && !categories.includes(form.category)) errors.push({ field: 'category', key: 'chooseCategory' })
  required(errors, 'subject', form.subject, LIMITS.subject)
  required(errors, 'text', form.text, LIMITS.text)
  if (!form.anonymous) {
    required(errors, 'name', form.name, LIMITS.name)
    if (form.phone.trim() === '') errors.push({ field: 'phone', key: 'required' })
    else if (!validPhone(form.phone)) errors.push({ field: 'phone', key: 'badPhone' })
  }
  if (form.about.length > LIMITS.about) errors.push({ field: 'about', key: 'tooMany', params: { max: LIMITS.about } })
  return errors
}

export function toRequest(form: ReceptionForm, townshipId: string): ReceptionPetitionCreate {
  return {
    channel: 'reception',
    township_id: townshipId,
    village_id: form.village_id === '' ? null : form.village_id,
    category: form.category,
    subject: form.subject.trim(),
    text: form.text.trim(),
    anonymous: form.anonymous,
    // An anonymous report keeps nothing about the petitioner, whatever was typed before.
    petitioner: form.anonymous ? null : { name: form.name.trim(), phone: normalizePhone(form.phone) },
    about_official_ids: [...new Set(form.about)],
    attachment_ids: form.attachment_id ? [form.attachment_id] : [],
  }
}

const FIELDS: Record<string, string> = {
  village_id: 'village_id',
  category: 'category',
  subject: 'subject',
  text: 'text',
  anonymous: 'name',
  petitioner: 'name',
  'petitioner.name': 'name',
  'petitioner.phone': 'phone',
  about_official_ids: 'about',
  attachment_ids: 'photo',
  file: 'photo',
}

/** The server's field errors on the form's fields; fields the form does not show go to 'form'. */
export function placeServerErrors(errors: readonly FieldError[]): FormError[] {
  return errors.map((e) => {
    const base = e.field.replace(/\[\d+\]$/, '').replace(/\.\d+$/, '')
    return { field: FIELDS[e.field] ?? FIELDS[base] ?? 'form', message: e.message }
  })
}

type Client = Pick<ApiClient, 'requestJSON'>

export async function registerPetition(client: Client, body: ReceptionPetitionCreate, idempotencyKey: string): Promise<PetitionSubmitted> {
  return (await client.requestJSON('POST', `${API}/petitions`, { json: body, headers: { 'Idempotency-Key': idempotencyKey } })) as PetitionSubmitted
}

export async function uploadAttachment(client: Client, photo: Blob, name: string): Promise<string> {
  const form = new FormData()
  form.append('file', photo, name)
  return ((await client.requestJSON('POST', `${API}/attachments`, { form })) as { id: string }).id
}

export const readOfficials = (client: Client, townshipId: string) =>
  readAll<User>(client, '/users', { township_id: townshipId, role: 'official' }, 3)
