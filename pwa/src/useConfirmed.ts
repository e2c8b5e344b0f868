/** The confirm-then-toast helper of confirmed.ts with Vant's dialog and toast, for components. */
import { useI18n } from 'vue-i18n'
import { showConfirmDialog, showToast } from 'vant'
import 'vant/es/dialog/style'
import 'vant/es/toast/style'
import { runConfirmed, type ConfirmedAction, type ConfirmUi } from './confirmed'

export const vantUi: ConfirmUi = {
  confirm: ({ title, message, confirm, cancel, danger }) =>
    showConfirmDialog({
      title,
      message,
      confirmButtonText: confirm,
      cancelButtonText: cancel,
      confirmButtonColor: danger ? 'var(--van-danger-color)' : undefined,
    }).then(
      () => true,
      () => false,
    ),
  toast: (kind, message) => {
    showToast(kind === 'success' ? { message, icon: 'success' } : { message, type: 'fail' })
  },
}

/** In a component: `const confirmed = useConfirmed(); await confirmed({ … })`. */
export function useConfirmed(): (action: ConfirmedAction) => Promise<'cancelled' | 'done' | 'failed'> {
  const { t } = useI18n()
  return (action) => runConfirmed(action, vantUi, { cancel: t('confirm.cancel'), network: t('errors.network'), session: t('login.expired') })
}
