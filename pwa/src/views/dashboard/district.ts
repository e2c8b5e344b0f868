/**
 * The district view (全区一张表, product.md §9) as the dashboard reads it: every township in the
 * reader's scope with its summary row and its officials' rows, and the district's total
 * (GET /api/v1/scorecards without township_id). A lead's answer holds their own township only.
 */
import { API, type ApiClient } from '../../api/client'
import type { ScorecardRow } from '../../api/audits'

/** A township's rows added up with its own figures, or the district's total (ScorecardSummary). */
export interface ScorecardSummary {
  members: number
  weeks: number
  weeks_met: number
  nights_required: number
  nights_counted: number
  stationing_days: number
  stationing_required_days: number
  stationing_behind: number
  reception_assigned: number
  reception_attended: number
  reception_on_time: number
  triggers_on_time: number
  triggers_late: number
  triggers_overdue: number
  triggers_open: number
  visits: number
  petitions_assigned: number
  petitions_replied_on_time: number
  audits_sampled: number
  audits_confirmed: number
  audits_discrepancies: number
  audits_violations: number
  rota_days: number
  rota_covered: number
  households: number
  households_visited: number
  talk_day_months: number
  talk_day_months_held: number
}

/** One township's block of the district view; also the answer of the township call. */
export interface TownshipScorecard {
  township_id: string
  name: string
  from: string
  to: string
  rows: ScorecardRow[]
  rota_days: number
  rota_covered: number
  households: number
  households_visited: number
  talk_day_months: number
  talk_day_months_held: number
  summary: ScorecardSummary
}

export interface DistrictScorecard {
  from: string
  to: string
  townships: TownshipScorecard[]
  total: ScorecardSummary
}

type Reader = Pick<ApiClient, 'requestJSON'>

/** The district view over from..to (YYYY-MM-DD, both included). */
export function readDistrict(c: Reader, from: string, to: string): Promise<DistrictScorecard> {
  const q = new URLSearchParams({ from, to })
  return c.requestJSON('GET', `${API}/scorecards?${q.toString()}`) as Promise<DistrictScorecard>
}

/** One township's scorecard over from..to. */
export function readTownshipCard(c: Reader, townshipId: string, from: string, to: string): Promise<TownshipScorecard> {
  const q = new URLSearchParams({ township_id: townshipId, from, to })
  return c.requestJSON('GET', `${API}/scorecards?${q.toString()}`) as Promise<TownshipScorecard>
}
