import { watch, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { showToast } from 'vant'
import 'vant/es/toast/style'
import type { Errors } from '../../api/org'
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
export function clearOnEdit<F extends object>(form: F, errors: Ref<Errors>): void {
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
