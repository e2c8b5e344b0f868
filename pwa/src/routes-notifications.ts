import type { RouteRecordRaw } from 'vue-router'

/**
 * The reminders of issue 14 (product.md §8), each page loaded when first visited: the inbox
 * that the bell on every home page opens, and how each kind is delivered (push, SMS).
 */
export const notificationRoutes: RouteRecordRaw[] = [
  {
    path: '/notifications',
    name: 'notifications',
    component: () => import('./views/notifications/InboxView.vue'),
    meta: { title: 'inbox.title', auth: true },
  },
  {
    path: '/notifications/settings',
    name: 'notification-settings',
    component: () => import('./views/notifications/NotificationSettingsView.vue'),
    meta: { title: 'inbox.settingsTitle', auth: true },
  },
]
