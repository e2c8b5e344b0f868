/**
 * Field records an official writes by hand (issue 17, part 3): a village talk day (民情恳谈日,
 * §3.6) and a must-visit situation (六必访, §3.4). Like every field record they go through the
 * outbox with an id the phone chooses, so that they are kept without signal, sent in order
 * later, and a re-send creates nothing.
 */
import type { Outbox } from '../outbox/outbox'
import type { OutboxItem } from '../outbox/types'
import { uuid } from '../uuid'
import { API, type ApiClient } from './client'
import { readAll, type Household, type VisitTrigger } from './duties'

type Queue = Pick<Outbox, 'enqueue'>
type Reader = Pick<ApiClient, 'requestJSON'>

// ---- Talk days ------------------------------------------------------------------------------

export interface TalkDay {
  id: string
  township_id: string
  village_id: string
  held_on: string
  attendance: number
  issues: string[]
  recorded_by: string
}

export interface TalkDayInput {
  village_id: string
  held_on: string
  attendance: number
  issues: string[]
}

/** The server's limits (docs/openapi.yaml, createTalkDay). */
export const TALK_DAY_LIMITS = { maxAttendance: 100_000, maxIssues: 100, maxIssueLength: 1000 } as const

/** The issues as typed, trimmed, without the empty lines. */
export function cleanIssues(lines: readonly string[]): string[] {
  return lines.map((l) => l.trim()).filter((l) => l !== '')
}

export type TalkDayProblem = 'village' | 'date' | 'future' | 'attendance' | 'issues' | 'issueLength'

/**
 * What is wrong with a talk-day form before it is queued, as message keys by field; empty
 * when it can go. `today` is the district's date (YYYY-MM-DD).
 */
export function talkDayProblems(
  form: { village_id: string | null; held_on: string; attendance: string; issues: readonly string[] },
  today: string,
): Partial<Record<'village' | 'date' | 'attendance' | 'issues', TalkDayProblem>> {
  const out: Partial<Record<'village' | 'date' | 'attendance' | 'issues', TalkDayProblem>> = {}
  if (!form.village_id) out.village = 'village'
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.held_on)) out.date = 'date'
  else if (form.held_on > today) out.date = 'future'
  const n = form.attendance.trim()
  if (!/^\d+$/.test(n) || Number(n) > TALK_DAY_LIMITS.maxAttendance) out.attendance = 'attendance'
  const issues = cleanIssues(form.issues)
  if (issues.length > TALK_DAY_LIMITS.maxIssues) out.issues = 'issues'
  else if (issues.some((i) => [...i].length > TALK_DAY_LIMITS.maxIssueLength)) out.issues = 'issueLength'
  return out
}

/** Queues a talk day; answers its id. */
export async function queueTalkDay(outbox: Queue, input: TalkDayInput): Promise<string> {
  const id = uuid()
  await outbox.enqueue({
    kind: 'talk_day',
    method: 'POST',
    url: `${API}/talk-days`,
    body: { id, village_id: input.village_id, held_on: input.held_on, attendance: input.attendance, issues: cleanIssues(input.issues) },
  })
  return id
}

export const readTalkDays = (c: Reader, params: { township_id?: string | null; from?: string; to?: string }) =>
  readAll<TalkDay>(c, '/talk-days', params, 5)

// ---- Must-visit situations ----------------------------------------------------------------------

export interface TriggerInput {
  household_id: string
  category: string
  occurred_on: string
  note: string
}

export const TRIGGER_NOTE_MAX = 1000

export type TriggerProblem = 'household' | 'category' | 'date' | 'future' | 'note'

export function triggerProblems(
  form: { household_id: string | null; category: string | null; occurred_on: string; note: string },
  today: string,
): Partial<Record<'household' | 'category' | 'date' | 'note', TriggerProblem>> {
  const out: Partial<Record<'household' | 'category' | 'date' | 'note', TriggerProblem>> = {}
  if (!form.household_id) out.household = 'household'
  if (!form.category) out.category = 'category'
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.occurred_on)) out.date = 'date'
  else if (form.occurred_on > today) out.date = 'future'
  if ([...form.note.trim()].length > TRIGGER_NOTE_MAX) out.note = 'note'
  return out
}

/** Queues a must-visit situation; answers its id. */
export async function queueTrigger(outbox: Queue, input: TriggerInput): Promise<string> {
  const id = uuid()
  await outbox.enqueue({
    kind: 'visit_trigger',
    method: 'POST',
    url: `${API}/visit-triggers`,
    body: { id, household_id: input.household_id, category: input.category, occurred_on: input.occurred_on, note: input.note.trim() },
  })
  return id
}

/** The date a visit is due for a situation of that date, by the category's due days (default 7). */
export function visitDueDate(occurredOn: string, dueDays: number | undefined): string {
  const d = new Date(`${occurredOn}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + (dueDays ?? 7))
  return d.toISOString().slice(0, 10)
}

// ---- What is still waiting in the outbox --------------------------------------------------------

export interface PendingHandRecords {
  talkDays: (TalkDayInput & { id: string; blocked: boolean })[]
  triggers: (TriggerInput & { id: string; blocked: boolean })[]
}

export function pendingHandRecords(items: readonly OutboxItem[]): PendingHandRecords {
  const out: PendingHandRecords = { talkDays: [], triggers: [] }
  for (const item of items) {
    const b = (item.body ?? {}) as Record<string, unknown>
    if (item.kind === 'talk_day') {
      out.talkDays.push({
        id: String(b.id),
        village_id: String(b.village_id),
        held_on: String(b.held_on),
        attendance: Number(b.attendance),
        issues: Array.isArray(b.issues) ? b.issues.map(String) : [],
        blocked: item.blocked !== null,
      })
    } else if (item.kind === 'visit_trigger') {
      out.triggers.push({
        id: String(b.id),
        household_id: String(b.household_id),
        category: String(b.category),
        occurred_on: String(b.occurred_on),
        note: String(b.note ?? ''),
        blocked: item.blocked !== null,
      })
    }
  }
  return out
}

// ---- The contact official's home (联户干部) -------------------------------------------------------

export interface ContactRow {
  household: Household
  /** Open must-visits of the household that this official answers for, soonest due first. */
  triggers: (VisitTrigger & { overdue: boolean; visitPending: boolean })[]
  overdue: number
}

/**
 * The households an official is the contact of, with their open must-visits; households with
 * an overdue visit first, then those with a visit due, then the rest by village and name.
 * Must-visits on other households the official answers for are listed too (`others`).
 */
export function contactHome(
  me: string,
  households: readonly Household[],
  triggers: readonly VisitTrigger[],
  pendingVisitTriggers: ReadonlySet<string>,
  now: number,
): { rows: ContactRow[]; others: ContactRow['triggers']; due: number; overdue: number } {
  const open = triggers
    .filter((t) => (t.status === 'open' || t.status === 'overdue') && t.responsible_id === me)
    .map((t) => ({ ...t, overdue: t.status === 'overdue' || Date.parse(t.due_at) <= now, visitPending: pendingVisitTriggers.has(t.id) }))
    .sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at))
  const mine = households.filter((h) => h.contact_official_id === me)
  const ids = new Set(mine.map((h) => h.id))
  const rows = mine.map((household) => {
    const ts = open.filter((t) => t.household_id === household.id)
    return { household, triggers: ts, overdue: ts.filter((t) => t.overdue).length }
  })
  const rank = (r: ContactRow) => (r.overdue > 0 ? 0 : r.triggers.length > 0 ? 1 : 2)
  rows.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.triggers[0] && b.triggers[0] ? Date.parse(a.triggers[0].due_at) - Date.parse(b.triggers[0].due_at) : 0) ||
      a.household.village_id.localeCompare(b.household.village_id) ||
      a.household.head_name.localeCompare(b.household.head_name, 'zh-CN'),
  )
  return {
    rows,
    others: open.filter((t) => !ids.has(t.household_id)),
    due: open.filter((t) => !t.overdue).length,
    overdue: open.filter((t) => t.overdue).length,
  }
}
