import { createRouter, createWebHistory, type Router } from 'vue-router'
import type { Ref } from 'vue'
import type { User } from './api/session'
import EntryView from './views/EntryView.vue'
import { accountRoutes, passwordChangeFirst } from './routes-accounts'
import { fieldRoutes } from './routes-field'
import { notificationRoutes } from './routes-notifications'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title. */
    title?: string
    /** Only for a signed-in user. */
    auth?: boolean
  }
}

/**
 * The villager entry page is part of the initial bundle (it is budgeted); every other page
 * is loaded when first visited.
 */
export function createAppRouter(user: Ref<User | null>): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', name: 'entry', component: EntryView, meta: { title: 'app.name' } },
      { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { title: 'login.title' } },
      { path: '/home', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'nav.home', auth: true } },
      {
        path: '/outbox',
        name: 'outbox',
        component: () => import('./views/OutboxView.vue'),
        meta: { title: 'outbox.title', auth: true },
      },
      {
        path: '/petitions/new',
        name: 'petition-new',
        component: () => import('./views/villager/PetitionNewView.vue'),
        meta: { title: 'villager.new.title' },
      },
      {
        path: '/petitions/receipt',
        name: 'petition-receipt',
        component: () => import('./views/villager/ReceiptView.vue'),
        meta: { title: 'villager.receipt.title' },
      },
      { path: '/track', name: 'track', component: () => import('./views/villager/TrackView.vue'), meta: { title: 'villager.track.title' } },
      {
        path: '/official/visit',
        name: 'official-visit',
        component: () => import('./views/official/VisitView.vue'),
        meta: { title: 'official.visit.title', auth: true },
      },
      {
        path: '/official/reception-petition',
        name: 'official-reception-petition',
        component: () => import('./views/official/ReceptionPetitionView.vue'),
        meta: { title: 'official.reception.register', auth: true },
      },
      {
        path: '/inspector/audits/new',
        name: 'inspector-audit-new',
        component: () => import('./views/inspector/AuditNewView.vue'),
        meta: { title: 'inspector.newAudit', auth: true },
      },
      {
        path: '/inspector/audits/:id',
        name: 'inspector-audit',
        component: () => import('./views/inspector/AuditView.vue'),
        props: true,
        meta: { title: 'inspector.round.title', auth: true },
      },
      {
        path: '/inspector/scorecards',
        name: 'inspector-scorecards',
        component: () => import('./views/inspector/ScorecardView.vue'),
        meta: { title: 'inspector.scorecards', auth: true },
      },
      {
        path: '/dashboard',
        name: 'dashboard',
        component: () => import('./views/dashboard/DashboardView.vue'),
        meta: { title: 'dash.title', auth: true },
      },
      {
        path: '/dashboard/townships/:id',
        name: 'dashboard-township',
        component: () => import('./views/dashboard/DashboardTownshipView.vue'),
        props: true,
        meta: { title: 'dash.townshipTitle', auth: true },
      },
      {
        path: '/office/rota',
        name: 'office-rota',
        component: () => import('./views/office/RotaView.vue'),
        meta: { title: 'office.rotaTitle', auth: true },
      },
      {
        path: '/office/org',
        name: 'office-org',
        component: () => import('./views/office/OrgView.vue'),
        meta: { title: 'org.orgTitle', auth: true },
      },
      {
        path: '/office/org/townships/:id',
        name: 'office-township',
        component: () => import('./views/office/TownshipView.vue'),
        props: true,
        meta: { title: 'org.townshipTitle', auth: true },
      },
      {
        path: '/office/org/villages/:id',
        name: 'office-village',
        component: () => import('./views/office/VillageView.vue'),
        props: true,
        meta: { title: 'org.villageTitle', auth: true },
      },
      {
        path: '/office/people',
        name: 'office-people',
        component: () => import('./views/office/PeopleView.vue'),
        meta: { title: 'org.peopleTitle', auth: true },
      },
      {
        path: '/office/contact-links',
        name: 'office-links',
        component: () => import('./views/office/LinksView.vue'),
        meta: { title: 'org.linksTitle', auth: true },
      },
      {
        path: '/office/leaves',
        name: 'office-leaves',
        component: () => import('./views/office/LeavesView.vue'),
        meta: { title: 'org.leavesTitle', auth: true },
      },
      {
        path: '/office/calendar',
        name: 'office-calendar',
        component: () => import('./views/office/CalendarView.vue'),
        meta: { title: 'org.calendarTitle', auth: true },
      },
      {
        path: '/office/settings',
        name: 'office-settings',
        component: () => import('./views/office/SettingsView.vue'),
        meta: { title: 'org.settingsTitle', auth: true },
      },
      // Petition casework (issue 17): the handler's petitions, one petition's casework, the figures.
      {
        path: '/casework/mine',
        name: 'casework-mine',
        component: () => import('./views/casework/HandlerListView.vue'),
        meta: { title: 'casework.mineTitle', auth: true },
      },
      {
        path: '/casework/petitions/:id',
        name: 'casework-petition',
        component: () => import('./views/casework/PetitionCaseView.vue'),
        props: true,
        meta: { title: 'casework.petitionTitle', auth: true },
      },
      {
        path: '/casework/figures',
        name: 'casework-figures',
        component: () => import('./views/casework/FiguresView.vue'),
        meta: { title: 'casework.figuresTitle', auth: true },
      },
      // The district petition office's supervision list (督办, issue 13).
      {
        path: '/casework/supervision',
        name: 'casework-supervision',
        component: () => import('./views/casework/SupervisionView.vue'),
        meta: { title: 'casework.supervisionTitle', auth: true },
      },
      // The township lead's page (issue 17).
      {
        path: '/lead',
        name: 'lead-township',
        component: () => import('./views/casework/LeadView.vue'),
        meta: { title: 'casework.leadTitle', auth: true },
      },
      {
        path: '/:pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { title: 'notFound.title' },
      },
      ...accountRoutes,
      ...fieldRoutes,
      ...notificationRoutes,
    ],
  })
  router.beforeEach((to) => {
    if (to.meta.auth && !user.value) return { name: 'login', query: { redirect: to.fullPath } }
    const forced = passwordChangeFirst(to, user.value)
    if (forced) return forced
    if (to.name === 'login' && user.value) return { name: 'home' }
    return true
  })
  return router
}
