import type { RouteRecordRaw } from 'vue-router'

/**
 * The officials' pages of issue 17 (part 3), each loaded when first visited: a village talk day
 * (民情恳谈日) and a must-visit situation (六必访) recorded by hand, and one's own progress.
 */
export const fieldRoutes: RouteRecordRaw[] = [
  {
    path: '/official/talk-day',
    name: 'official-talk-day',
    component: () => import('./views/official/TalkDayView.vue'),
    meta: { title: 'field.talkDay.title', auth: true },
  },
  {
    path: '/official/must-visit',
    name: 'official-trigger',
    component: () => import('./views/official/TriggerView.vue'),
    meta: { title: 'field.trigger.title', auth: true },
  },
  {
    path: '/official/progress',
    name: 'official-progress',
    component: () => import('./views/official/ProgressView.vue'),
    meta: { title: 'field.progress.title', auth: true },
  },
]
