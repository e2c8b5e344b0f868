/**
 * What the official's home shows for today, worked out from the server's answers and what is
 * still waiting in the outbox. Pure, so that it can be tested without a page.
 */
import {
  openSession,
  type Finding,
  type OpenSession,
  type OvernightStay,
  type PendingField,
  type Petition,
  type Progress,
  type ReceptionDay,
  type Stationing,
  type VisitTrigger,
} from '../../api/duties'

export interface TodayInput {
  me: string
  /** Today's date in the district (YYYY-MM-DD). */
  today: string
  now: number
  progress: Progress | null
  receptionDays: readonly ReceptionDay[]
  stays: readonly OvernightStay[]
  stationings: readonly Stationing[]
  triggers: readonly VisitTrigger[]
  findings: readonly Finding[]
  petitions: readonly Petition[]
  pending: PendingField
}

export type CheckState = 'todo' | 'pending' | 'done'

export interface ReceptionToday {
  day: ReceptionDay
  state: CheckState
  onTime: boolean
  flags: string[]
}

export interface DutyCard<S extends string> {
  counted: number
  required: number
  status: S | null
  /** Check-ins still in the outbox, not yet in the server's count. */
  pending: number
  /** The session to check out of, or null when the next step is a check-in. */
  open: OpenSession | null
}

export interface TriggerRow extends VisitTrigger {
  overdue: boolean
  /** A visit for it is waiting in the outbox. */
  visitPending: boolean
}

export interface PetitionRow {
  petition: Petition
  deadline: string | null
}

export interface Today {
  reception: ReceptionToday | null
  /** The next reception day after today, when today is not one. */
  nextReception: string | null
  overnight: DutyCard<Progress['overnight']['status']> & { week: string | null }
  stationing: DutyCard<Progress['stationing']['status']> & { expected: number }
  overdueVisits: TriggerRow[]
  dueVisits: TriggerRow[]
  explanations: Finding[]
  petitions: PetitionRow[]
}

/** An open stay is checked out the next morning; one older than this is left behind. */
export const STAY_MAX_AGE_MS = 36 * 3600_000
/** A stationing session is checked out the same day. */
export const STATIONING_MAX_AGE_MS = 24 * 3600_000

export function today(input: TodayInput): Today {
  const { me, pending, progress, now } = input

  const day = input.receptionDays.find((d) => d.date === input.today && d.official_id === me) ?? null
  const reception: ReceptionToday | null = day
    ? {
        day,
        state: day.checkin ? 'done' : pending.receptionCheckins.has(day.id) ? 'pending' : 'todo',
        onTime: day.on_time,
        flags: day.checkin?.flags ?? [],
      }
    : null
  const nextReception =
    input.receptionDays
      .filter((d) => d.official_id === me && d.date > input.today)
      .map((d) => d.date)
      .sort()[0] ?? null

  const overnightOpen = openSession(input.stays, pending.overnightCheckins, pending.overnightCheckouts, now, STAY_MAX_AGE_MS)
  const stationingOpen = openSession(
    input.stationings,
    pending.stationingCheckins,
    pending.stationingCheckouts,
    now,
    STATIONING_MAX_AGE_MS,
  )

  const visitedTriggers = new Set(pending.visits.map((v) => v.trigger_id).filter((id): id is string => id !== null))
  const rows: TriggerRow[] = input.triggers
    .filter((t) => t.status === 'open' || t.status === 'overdue')
    .filter((t) => t.responsible_id === me)
    .map((t) => ({ ...t, overdue: t.status === 'overdue' || Date.parse(t.due_at) <= now, visitPending: visitedTriggers.has(t.id) }))
    .sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at))

  const explanations = input.findings
    .filter((f) => f.result === 'discrepancy' && f.explanation === null && f.resolution === null)
    .sort((a, b) => (a.explanation_due_on ?? '9999').localeCompare(b.explanation_due_on ?? '9999'))

  const petitions = input.petitions
    .filter((p) => p.handler_id === me && p.state === 'assigned')
    .map((p) => ({ petition: p, deadline: p.deadlines.reply_by ?? null }))
    .sort(
      (a, b) =>
        Number(b.petition.overdue) - Number(a.petition.overdue) || (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999'),
    )

  return {
    reception,
    nextReception: reception ? null : nextReception,
    overnight: {
      counted: progress?.overnight.counted ?? 0,
      required: progress?.overnight.required ?? 2,
      status: progress?.overnight.status ?? null,
      week: progress?.overnight.week ?? null,
      pending: pending.overnightCheckins.length,
      open: overnightOpen,
    },
    stationing: {
      counted: progress?.stationing.counted_days ?? 0,
      required: progress?.stationing.required_days ?? 90,
      expected: progress?.stationing.expected_to_date ?? 0,
      status: progress?.stationing.status ?? null,
      pending: pending.stationingCheckins.length,
      open: stationingOpen,
    },
    overdueVisits: rows.filter((r) => r.overdue),
    dueVisits: rows.filter((r) => !r.overdue),
    explanations,
    petitions,
  }
}

/** Today's date (YYYY-MM-DD) in a time zone; the district's is Asia/Shanghai unless set otherwise. */
export function dateIn(timeZone: string, at: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}
