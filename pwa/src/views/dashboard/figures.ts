/**
 * The dashboard's figures, worked out from the district view's counts. Pure, so that the
 * percentages (and what they say when there is nothing to divide by) are tested on their own.
 *
 * - nights: ISO weeks met (or exempt) ÷ weeks, summed over the team members (§3.2); a week
 *   is of the period that holds its Monday, so a period without a Monday has no nights figure;
 * - stationing: team members not behind the year's pace as of the period's last day
 *   (met or on track) ÷ team members (§3.3); the days counted in the period beside the
 *   year's requirement are shown as they are, not as a share, since the period may be shorter
 *   than the year the requirement is for;
 * - visits: must-visits closed on time ÷ those closed on time, closed late and overdue (§3.4);
 *   open ones still within their due time are not judged yet;
 * - petitions: petitions replied within their deadline ÷ petitions assigned (§4);
 * - violations: audit findings resolved as violation_confirmed (§5), a count.
 */
import type { ScorecardRow } from '../../api/audits'
import type { ScorecardSummary } from './district'

export const figureKeys = ['nights', 'stationing', 'visits', 'petitions', 'violations'] as const
export type FigureKey = (typeof figureKeys)[number]

/** A share: num of den, and num ÷ den, or null when there is nothing to divide by. */
export interface Share {
  num: number
  den: number
  ratio: number | null
}

export interface Figures {
  nights: Share
  stationing: Share
  /** Stationing days counted in the period, and the year's requirement (not a share). */
  stationingDays: { days: number; required: number }
  visits: Share
  petitions: Share
  violations: number
  sampled: number
}

/** The counts the figures are made of: a summary row, or one official's row. */
export type FigureInput = Pick<
  ScorecardSummary,
  | 'members'
  | 'weeks'
  | 'weeks_met'
  | 'stationing_behind'
  | 'stationing_days'
  | 'stationing_required_days'
  | 'triggers_on_time'
  | 'triggers_late'
  | 'triggers_overdue'
  | 'petitions_assigned'
  | 'petitions_replied_on_time'
  | 'audits_sampled'
  | 'audits_violations'
>

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0)

export function share(num: number, den: number): Share {
  const n = count(num)
  const d = count(den)
  return { num: n, den: d, ratio: d > 0 ? n / d : null }
}

export function figuresOf(s: FigureInput): Figures {
  const members = count(s.members)
  return {
    nights: share(s.weeks_met, s.weeks),
    stationing: share(Math.max(0, members - count(s.stationing_behind)), members),
    stationingDays: { days: count(s.stationing_days), required: count(s.stationing_required_days) },
    visits: share(s.triggers_on_time, count(s.triggers_on_time) + count(s.triggers_late) + count(s.triggers_overdue)),
    petitions: share(s.petitions_replied_on_time, s.petitions_assigned),
    violations: count(s.audits_violations),
    sampled: count(s.audits_sampled),
  }
}

/** One official's row as figure counts: one member, behind or not. */
export function rowInput(r: ScorecardRow): FigureInput {
  return { ...r, members: 1, stationing_behind: r.stationing_status === 'behind' ? 1 : 0 }
}

/**
 * A share as a whole percentage, or null when there is nothing to divide by. Rounded to the
 * nearest, except that 100 % means every one and 0 % means none: 199 of 200 is 99 %, not
 * 100 %, and 1 of 300 is 1 %, not 0 %.
 */
export function percent(s: Share): number | null {
  if (s.ratio === null) return null
  if (s.num === 0) return 0
  if (s.num >= s.den) return Math.round(s.ratio * 100)
  return Math.min(99, Math.max(1, Math.round(s.ratio * 100)))
}

/** The value the chart draws for a figure: a percentage, a count, or null for no bar. */
export function chartValue(f: Figures, key: FigureKey): number | null {
  return key === 'violations' ? f.violations : percent(f[key])
}

// ---- The period ------------------------------------------------------------------------------

/** The longest period the calendar lets one choose: a year, leap years included. */
export const MAX_RANGE_DAYS = 366

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function isDate(s: unknown): s is string {
  if (typeof s !== 'string') return false
  const m = DATE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === s
}

/** Days from `from` to `to`, both included. */
export function daysIn(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
}

export interface Period {
  from: string
  to: string
}

/** This year so far: 1 January to today (the district's dates). */
export function defaultPeriod(today: string): Period {
  return { from: `${today.slice(0, 4)}-01-01`, to: today }
}

/** What the calendar offers: from 1 January of last year to today. */
export function calendarBounds(today: string): Period {
  return { from: `${Number(today.slice(0, 4)) - 1}-01-01`, to: today }
}

/** The period asked for in the address, if it is one the calendar could have chosen; else the default. */
export function periodFrom(query: { from?: unknown; to?: unknown }, today: string): Period {
  const { from, to } = query
  const bounds = calendarBounds(today)
  if (isDate(from) && isDate(to) && from <= to && from >= bounds.from && to <= bounds.to && daysIn(from, to) <= MAX_RANGE_DAYS) {
    return { from, to }
  }
  return defaultPeriod(today)
}

/** A YYYY-MM-DD date as the calendar's Date (local midnight). */
export function toCalendarDate(s: string): Date {
  const [y, m, d] = s.split('-').map(Number)
  return new Date(y, m - 1, d)
}

/** The calendar's Date as YYYY-MM-DD (its local date). */
export function fromCalendarDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

// ---- Words -------------------------------------------------------------------------------------

type Translate = (key: string, named?: Record<string, unknown>) => string

/** A figure as the lists say it: "75%（9/12）", "无数据", "2 条". */
export function figureText(t: Translate, f: Figures, key: FigureKey): string {
  if (key === 'violations') return t('dash.violationsValue', { n: f.violations })
  const s = f[key]
  const pct = percent(s)
  return pct === null ? t('dash.noData') : t('dash.share', { pct, num: s.num, den: s.den })
}

/** A figure as its bar's label says it: "75%", "无数据", "2". */
export function barLabel(t: Translate, f: Figures, key: FigureKey): string {
  if (key === 'violations') return String(f.violations)
  const pct = percent(f[key])
  return pct === null ? t('dash.noData') : `${pct}%`
}
