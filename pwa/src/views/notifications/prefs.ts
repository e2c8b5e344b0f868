/**
 * The settings page's model: the request a form becomes and the server's field errors placed
 * on the form's fields (the phone, or one kind's push or SMS switch). No Vue here.
 */
import type { KindPreference, Preferences, PreferencesInput } from '../../api/notifications'
import type { FieldError } from '../../api/problem'

export interface PrefsForm {
  phone: string
  items: KindPreference[]
}

export function formOf(p: Preferences): PrefsForm {
  return { phone: p.phone ?? '', items: p.items.map((i) => ({ ...i })) }
}

/** The phone as it is sent: spaces and dashes removed. */
export const normalizePhone = (phone: string) => phone.replace(/[\s-]/g, '')

/**
 * The PUT body: the phone, and every kind that may be changed, in the form's order (so that
 * the server's items[i] names the form's i-th row among those sent). Locked kinds are not sent.
 */
export function toInput(form: PrefsForm): { input: PreferencesInput; sent: string[] } {
  const items = form.items.filter((i) => !i.locked)
  return {
    input: { phone: normalizePhone(form.phone), items: items.map((i) => ({ kind: i.kind, push: i.push, sms: i.sms })) },
    sent: items.map((i) => i.kind),
  }
}

/** Where each server error goes: 'phone', '<kind>' (that kind's row), or '' (the form). */
export function placeErrors(errors: readonly FieldError[], sent: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const add = (key: string, message: string) => {
    out[key] = out[key] ? `${out[key]}；${message}` : message
  }
  for (const e of errors) {
    const item = /^items\[(\d+)\]/.exec(e.field)
    if (e.field === 'phone') add('phone', e.message)
    else if (item && sent[Number(item[1])] !== undefined) add(sent[Number(item[1])], e.message)
    else add('', e.field ? `${e.field}: ${e.message}` : e.message)
  }
  return out
}

/** SMS is chosen for some kind but there is no number to send it to. */
export function smsWithoutPhone(form: PrefsForm): boolean {
  return normalizePhone(form.phone) === '' && form.items.some((i) => i.sms)
}
