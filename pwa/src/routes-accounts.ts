import type { RouteRecordRaw } from 'vue-router'

/**
 * The pages of issue 17, each loaded when first visited: one's own password (and the change
 * forced after an admin's reset), an admin's reset, the petition office's PIN re-issue, the
 * activity log, and a round's verification.
 */
export const accountRoutes: RouteRecordRaw[] = [
  {
    path: '/account/password',
    name: 'account-password',
    component: () => import('./views/account/PasswordView.vue'),
    meta: { title: 'account.password.title', auth: true },
  },
  {
    path: '/office/password-reset',
    name: 'account-reset',
    component: () => import('./views/account/ResetPasswordView.vue'),
    meta: { title: 'account.reset.title', auth: true },
  },
  {
    path: '/office/pin',
    name: 'account-pin',
    component: () => import('./views/account/PinReissueView.vue'),
    meta: { title: 'account.pin.title', auth: true },
  },
  {
    path: '/activity',
    name: 'account-activity',
    component: () => import('./views/account/ActivityView.vue'),
    meta: { title: 'account.activity.title', auth: true },
  },
  {
    path: '/inspector/audits/:id/verify',
    name: 'inspector-audit-verify',
    component: () => import('./views/inspector/AuditVerifyView.vue'),
    props: true,
    meta: { title: 'auditClose.verifyTitle', auth: true },
  },
]

/** While a reset password waits to be changed, the signed-in pages lead to the change. */
export function passwordChangeFirst(to: { name?: unknown; meta: { auth?: boolean } }, user: { must_change_password?: true } | null) {
  if (user?.must_change_password && to.meta.auth && to.name !== 'account-password') return { name: 'account-password' }
  return null
}
