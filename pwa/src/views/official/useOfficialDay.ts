/**
 * What the official's home page shows, read from the server (the last answer kept for when
 * there is no signal) and from the outbox, and derived into today's view (today.ts). The page
 * reads it again once queued records reach the server.
 */
import { computed, onBeforeUnmount, onMounted, reactive, ref } from 'vue'
import {
  isOffline,
  pendingField,
  readHouseholds,
  readMyFindings,
  readMyPetitions,
  readOpenTriggers,
  readProgress,
  readReceptionDays,
  readStationings,
  readStays,
  readVillages,
  readVisitCategories,
  ReadCache,
  type Category,
  type Finding,
  type Household,
  type Loaded,
  type OvernightStay,
  type PendingField,
  type Petition,
  type Progress,
  type ReceptionDay,
  type Stationing,
  type Village,
  type VisitTrigger,
} from '../../api/duties'
import type { User } from '../../api/session'
import { useApp } from '../../context'
import { addDays, dateIn, today as todayOf } from './today'

export function useOfficialDay(user: User) {
  const { client, outbox } = useApp()
  const cache = new ReadCache(user.id)
  const me = user.id

  const data = reactive({
    progress: null as Progress | null,
    receptionDays: [] as ReceptionDay[],
    stays: [] as OvernightStay[],
    stationings: [] as Stationing[],
    triggers: [] as VisitTrigger[],
    findings: [] as Finding[],
    petitions: [] as Petition[],
    villages: [] as Village[],
    households: [] as Household[],
    categories: [] as Category[],
  })
  const pending = ref<PendingField>(pendingField([]))
  const now = ref(Date.now())
  const staleSince = ref<number | null>(null)
  const failures = ref<string[]>([])
  const loading = ref(true)

  const localToday = () => dateIn('Asia/Shanghai', Date.now())

  async function load<K extends keyof typeof data>(key: K, name: string, fetcher: () => Promise<(typeof data)[K]>): Promise<void> {
    try {
      const got: Loaded<(typeof data)[K]> = await cache.read(name, fetcher)
      data[key] = got.value
      if (got.stale) staleSince.value = Math.min(staleSince.value ?? got.saved_at, got.saved_at)
    } catch (err) {
      if (!isOffline(err)) failures.value.push(err instanceof Error ? err.message : String(err))
    }
  }

  async function refresh(): Promise<void> {
    failures.value = []
    staleSince.value = null
    const day = localToday()
    const tw = user.township_id
    await Promise.all([
      load('progress', 'progress', () => readProgress(client, me)),
      load('receptionDays', 'reception-days', () => readReceptionDays(client, me, addDays(day, -1), addDays(day, 60))),
      load('stays', 'stays', () => readStays(client, me, addDays(day, -3))),
      load('stationings', 'stationings', () => readStationings(client, me, addDays(day, -2))),
      load('triggers', 'triggers', () => readOpenTriggers(client, { responsible_id: me })),
      load('findings', 'findings', () => readMyFindings(client)),
      load('petitions', 'petitions', () => readMyPetitions(client, me)),
      load('villages', 'villages', () => readVillages(client, tw)),
      load('households', 'households', () => readHouseholds(client, { township_id: tw ?? undefined })),
      load('categories', 'categories', () => readVisitCategories(client)),
    ])
    now.value = Date.now()
    loading.value = false
  }

  async function loadPending(): Promise<void> {
    pending.value = pendingField(await outbox.list())
    now.value = Date.now()
  }

  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  const unsubscribe = outbox.subscribe((change) => {
    void loadPending()
    // Once records reach the server, its counts change: read them again, once things settle.
    if (change.reason === 'sent') {
      clearTimeout(refreshTimer)
      refreshTimer = setTimeout(() => void refresh(), 1500)
    }
  })
  onMounted(() => {
    void loadPending()
    void refresh()
  })
  onBeforeUnmount(() => {
    unsubscribe()
    clearTimeout(refreshTimer)
  })

  const view = computed(() =>
    todayOf({
      me,
      today: data.progress?.date ?? localToday(),
      now: now.value,
      progress: data.progress,
      receptionDays: data.receptionDays,
      stays: data.stays,
      stationings: data.stationings,
      triggers: data.triggers,
      findings: data.findings,
      petitions: data.petitions,
      pending: pending.value,
    }),
  )

  return { data, pending, now, staleSince, failures, loading, view, refresh, loadPending }
}
