import { ref, watch, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { showToast } from 'vant'
import 'vant/es/toast/style'
import { errorsFrom, type Checked, type Errors } from '../../api/org'
import { dateIn } from '../official/today'

/** The district's today (Asia/Shanghai), as YYYY-MM-DD. */
export const districtToday = (): string => dateIn('Asia/Shanghai', Date.now())

/** Text helpers shared by the admin pages. */
export function useOrgText() {
  const { t, te } = useI18n()
  /** An error: an i18n key from the page's checks, or the server's message as it came. */
  const msg = (e: string | undefined): string => (e ? (/^(org|errors)\.[\w.]+$/.test(e) && te(e) ? t(e) : e) : '')
  /** A setting's label, or its key when it has none. */
  const keyLabel = (key: string): string => (te(`org.keys.${key}`) ? t(`org.keys.${key}`) : key)
  const fail = (errors: Errors): void => {
    if (errors['']) showToast({ message: msg(errors['']), type: 'fail' })
  }
  const saved = (): void => {
    showToast({ message: t('org.saved'), icon: 'success' })
  }
  return { t, msg, keyLabel, fail, saved }
}

/** Takes a field's error away as soon as the field is changed (the form-wide one too). */
function clearOnEdit<F extends object>(form: F, errors: Ref<Errors>): void {
  watch(
    () => ({ ...form }) as Record<string, unknown>,
    (now, before) => {
      const changed = Object.keys(now).filter((k) => now[k] !== before[k])
      if (!changed.length) return
      const next = { ...errors.value }
      for (const k of [...changed, '']) delete next[k]
      errors.value = next
    },
  )
}

/**
 * A form's errors and busy flag, and its submit: a body that failed the page's checks shows
 * their errors; a checked body is sent, and what the server refuses is shown on the fields
 * named (and in a toast when it concerns the whole form).
 */
export function useOrgForm<F extends object>(form: F, fields: readonly string[]) {
  const { fail } = useOrgText()
  const errors = ref<Errors>({})
  const busy = ref(false)
  clearOnEdit(form, errors)
  async function submit<B>(checked: Checked<B>, send: (body: B) => Promise<void>): Promise<void> {
    if (!checked.ok) {
      errors.value = checked.errors
      return
    }
    errors.value = {}
    busy.value = true
    try {
      await send(checked.body)
    } catch (err) {
      errors.value = errorsFrom(err, fields)
      fail(errors.value)
    } finally {
      busy.value = false
    }
  }
  return { errors, busy, submit }
}
