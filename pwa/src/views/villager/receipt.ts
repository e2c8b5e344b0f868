import type { PetitionSubmitted } from '../../api/petitions'

/**
 * The receipt of a petition just sent: the tracking code and the PIN, which the server shows
 * only this once. It stays in this tab (sessionStorage) until the villager says they have kept
 * it, so that a reload on the receipt screen does not lose the PIN; it never goes into
 * storage that outlives the tab, since the phone may be borrowed.
 */
export interface Receipt extends PetitionSubmitted {
  submitted_at: number
}

const KEY = 'minxin.petition.receipt'

function isReceipt(value: unknown): value is Receipt {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  return typeof r.id === 'string' && typeof r.tracking_code === 'string' && typeof r.pin === 'string' && typeof r.submitted_at === 'number'
}

export function saveReceipt(storage: Storage, submitted: PetitionSubmitted, now = Date.now()): Receipt {
  const receipt: Receipt = { id: submitted.id, tracking_code: submitted.tracking_code, pin: submitted.pin, submitted_at: now }
  storage.setItem(KEY, JSON.stringify(receipt))
  return receipt
}

export function loadReceipt(storage: Storage): Receipt | null {
  const raw = storage.getItem(KEY)
  if (raw === null) return null
  try {
    const value: unknown = JSON.parse(raw)
    return isReceipt(value) ? value : null
  } catch {
    return null
  }
}

export function forgetReceipt(storage: Storage): void {
  storage.removeItem(KEY)
}

/** The PIN in two groups of three (482 913), easier to read aloud and copy. */
export function groupPIN(pin: string): string {
  return pin.length === 6 ? `${pin.slice(0, 3)} ${pin.slice(3)}` : pin
}

/** The tracking code as typed: upper case, without spaces (the server ignores both). */
export function normalizeCode(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase()
}

/** The PIN as typed: digits only (spaces between groups are dropped). */
export function normalizePIN(pin: string): string {
  return pin.replace(/\s+/g, '')
}
