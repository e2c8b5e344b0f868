/**
 * Random audits (§5) as the inspector's pages use them: opening a round (online: the server
 * draws the seed), reading it, and recording findings through the outbox so that a walk
 * through sampled records works without signal.
 */
import type { Outbox } from '../outbox/outbox'
import type { OutboxItem } from '../outbox/types'
import { API, type ApiClient } from './client'
import { readAll, type ServerEvidence } from './duties'
import { apiError } from './problem'

export const recordTypes = ['overnight_stay', 'stationing_day', 'visit', 'reception_attendance'] as const
export type RecordType = (typeof recordTypes)[number]
export const findingResults = ['confirmed', 'discrepancy', 'unreachable'] as const
export type FindingResult = (typeof findingResults)[number]

export interface AuditInput {
  record_type: RecordType
  township_ids: string[]
  period_start: string
  period_end: string
  sample_size: number
  min_per_township: number
  seed_digits: string
}

export interface AuditDraw {
  record_id: string
  township_id: string
  official_id: string
  ticket: string
}

export interface AuditFinding {
  id: string
  audit_id: string
  record_id: string
  result: FindingResult
  notes: string
  explanation_due_on: string | null
  explanation: string | null
  resolution: string | null
  created_at: string
}

export interface Audit extends AuditInput {
  id: string
  seed: string
  algorithm: string
  population_size: number
  manifest_sha256: string
  state: 'open' | 'cancelled'
  cancel_reason: string | null
  opened_at: string
  sample: AuditDraw[]
  findings: AuditFinding[]
}

export interface NewFinding {
  record_id: string
  result: FindingResult
  notes: string
  attachment_ids: string[]
}

type Reader = Pick<ApiClient, 'requestJSON'>

export const openAudit = (c: Reader, input: AuditInput) => c.requestJSON('POST', `${API}/audits`, { json: input }) as Promise<Audit>
export const readAudit = (c: Reader, id: string) => c.requestJSON('GET', `${API}/audits/${id}`) as Promise<Audit>
export const readAudits = (c: Reader) => readAll<Audit>(c, '/audits', {}, 3)

/**
 * Queues a finding. The server keeps one finding per record and round and takes no client
 * id for it, so a re-send after a lost answer is refused with 409 finding_exists: the outbox
 * treats exactly that answer as delivered (see outbox/policy.ts), and the round's page then
 * shows the finding the server holds.
 */
export async function queueFinding(outbox: Pick<Outbox, 'enqueue'>, auditId: string, finding: NewFinding): Promise<void> {
  await outbox.enqueue({ kind: 'finding', method: 'POST', url: `${API}/audits/${auditId}/findings`, body: finding })
}

/** Findings of a round still in the outbox, by record id (the last one queued wins). */
export function pendingFindings(items: readonly OutboxItem[], auditId: string): Map<string, NewFinding & { blocked: string | null }> {
  const out = new Map<string, NewFinding & { blocked: string | null }>()
  const url = `${API}/audits/${auditId}/findings`
  for (const item of items) {
    if (item.kind !== 'finding' || item.url !== url) continue
    const body = item.body as NewFinding
    out.set(body.record_id, { ...body, blocked: item.blocked ? item.blocked.detail || item.blocked.title : null })
  }
  return out
}

/**
 * A ticket trimmed as the reference sampler prints it: nine digits counted from the first
 * digit after the point that is not a 9 (0.317685817…, 0.99912345678… → 0.999123456780).
 */
export function trimTicket(ticket: string): string {
  const dot = ticket.indexOf('.')
  if (dot < 0) return ticket
  const digits = ticket.slice(dot + 1)
  let first = 0
  while (first < digits.length && digits[first] === '9') first++
  return `${ticket.slice(0, dot)}.${digits.slice(0, first + 9)}`
}

/** The record's uuid from its canonical id "<type>:<uuid>". */
export function recordUuid(recordId: string): string {
  const i = recordId.indexOf(':')
  return i < 0 ? recordId : recordId.slice(i + 1)
}

/** What the inspector sees of a sampled record before checking it. */
export interface RecordSummary {
  date: string
  evidence: (ServerEvidence | null)[]
  village_id?: string
  household_id?: string
  qr_verified?: boolean
}

interface FieldListItem {
  id: string
  date?: string
  night_date?: string
  village_id?: string
  household_id?: string
  qr_verified?: boolean
  checkin?: ServerEvidence | null
  checkout?: ServerEvidence | null
  evidence?: ServerEvidence
}

const listPath: Record<RecordType, string> = {
  overnight_stay: '/overnight-stays',
  stationing_day: '/stationings',
  visit: '/visits',
  reception_attendance: '/reception-days',
}

/**
 * The sampled records of a round with their evidence, read from the field lists of each
 * township over the round's period (there is no read of one record by its canonical id).
 */
export async function readSampledRecords(c: Reader, audit: Audit): Promise<Record<string, RecordSummary>> {
  const out: Record<string, RecordSummary> = {}
  const wanted = new Set(audit.sample.map((d) => recordUuid(d.record_id)))
  const townships = [...new Set(audit.sample.map((d) => d.township_id))]
  for (const township of townships) {
    const path = listPath[audit.record_type]
    const params = { township_id: township, from: audit.period_start, to: audit.period_end }
    let items: FieldListItem[]
    if (audit.record_type === 'reception_attendance') {
      const q = new URLSearchParams(params).toString()
      items = ((await c.requestJSON('GET', `${API}${path}?${q}`)) as { items: FieldListItem[] }).items
    } else {
      items = await readAll<FieldListItem>(c, path, params, 20)
    }
    for (const it of items) {
      if (!wanted.has(it.id)) continue
      out[it.id] = {
        date: it.night_date ?? it.date ?? '',
        evidence: it.evidence ? [it.evidence] : [it.checkin ?? null, ...(it.checkout !== undefined ? [it.checkout] : [])],
        village_id: it.village_id,
        household_id: it.household_id,
        qr_verified: it.qr_verified,
      }
    }
  }
  return out
}

// ---- Scorecards ----

export interface ScorecardRow {
  official_id: string
  display_name: string
  weeks: number
  weeks_met: number
  nights_required: number
  nights_counted: number
  stationing_days: number
  stationing_required_days: number
  stationing_status: string
  reception_assigned: number
  reception_attended: number
  reception_on_time: number
  triggers_on_time: number
  triggers_late: number
  triggers_overdue: number
  triggers_open: number
  visits: number
  households_visited: number
  linked_households: number
  links_status: string
  petitions_assigned: number
  petitions_replied_on_time: number
  audits_sampled: number
  audits_confirmed: number
  audits_discrepancies: number
  audits_violations: number
}

export interface Scorecard {
  township_id: string
  from: string
  to: string
  rows: ScorecardRow[]
  rota_days: number
  rota_covered: number
  households: number
  households_visited: number
  talk_day_months: number
  talk_day_months_held: number
}

function scorecardUrl(townshipId: string, from: string, to: string, format?: 'xlsx'): string {
  const q = new URLSearchParams({ township_id: townshipId, from, to })
  if (format) q.set('format', format)
  return `${API}/scorecards?${q.toString()}`
}

export const readScorecard = (c: Reader, townshipId: string, from: string, to: string) =>
  c.requestJSON('GET', scorecardUrl(townshipId, from, to)) as Promise<Scorecard>

/** The scorecard as an XLSX file (Chinese headers), with the server's file name. */
export async function downloadScorecard(
  c: Pick<ApiClient, 'request'>,
  townshipId: string,
  from: string,
  to: string,
): Promise<{ blob: Blob; filename: string }> {
  const res = await c.request('GET', scorecardUrl(townshipId, from, to, 'xlsx'))
  if (!res.ok) throw await apiError(res, Date.now())
  const disposition = res.headers.get('Content-Disposition') ?? ''
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `scorecard-${from}-${to}.xlsx`
  return { blob: await res.blob(), filename }
}

// ---- Closing the loop on a round (issue 17) ----

export const resolutions = ['no_issue', 'violation_confirmed'] as const
export type Resolution = (typeof resolutions)[number]

/** A finding as the server answers it after a resolution. */
export interface ResolvedFinding extends AuditFinding {
  resolved_at: string | null
  explained_at: string | null
}

/** Resolves a discrepancy (online: the server says whether the official had their say). */
export const resolveFinding = (c: Reader, findingId: string, resolution: Resolution, notes: string) =>
  c.requestJSON('POST', `${API}/findings/${findingId}/resolve`, { json: { resolution, notes } }) as Promise<ResolvedFinding>

/** Cancels a round with a reason; it stays readable and takes no more findings. */
export const cancelAudit = (c: Reader, auditId: string, reason: string) =>
  c.requestJSON('POST', `${API}/audits/${auditId}/cancel`, { json: { reason } }) as Promise<Audit>

/** The server's re-derivation of a round's sample from its stored seed and manifest. */
export interface AuditVerification {
  manifest_sha256_matches: boolean
  sample_matches: boolean
  algorithm: string
  seed: string
  manifest_sha256: string
  sample: AuditDraw[]
}

export const verifyAudit = (c: Reader, auditId: string) =>
  c.requestJSON('GET', `${API}/audits/${auditId}/verify`) as Promise<AuditVerification>

/**
 * Compares the stored sample with the re-derived one draw by draw (same records, same
 * order, same tickets): what a person checks when told "the sample matches".
 */
export function sameDraws(stored: readonly AuditDraw[], derived: readonly AuditDraw[]): boolean {
  return (
    stored.length === derived.length &&
    stored.every((d, i) => d.record_id === derived[i].record_id && d.ticket === derived[i].ticket && d.township_id === derived[i].township_id)
  )
}
