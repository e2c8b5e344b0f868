import { describe, expect, it } from 'vitest'
import type { ScorecardRow } from '../src/api/audits'
import { readDistrict, type DistrictScorecard, type ScorecardSummary } from '../src/views/dashboard/district'
import {
  barLabel,
  calendarBounds,
  chartValue,
  daysIn,
  defaultPeriod,
  figuresOf,
  figureText,
  fromCalendarDate,
  isDate,
  percent,
  periodFrom,
  rowInput,
  share,
  toCalendarDate,
} from '../src/views/dashboard/figures'
import { loadView, SavedViews } from '../src/views/dashboard/saved'
import { json, problem, rig } from './helpers'

const zero: ScorecardSummary = {
  members: 0,
  weeks: 0,
  weeks_met: 0,
  nights_required: 0,
  nights_counted: 0,
  stationing_days: 0,
  stationing_required_days: 0,
  stationing_behind: 0,
  reception_assigned: 0,
  reception_attended: 0,
  reception_on_time: 0,
  triggers_on_time: 0,
  triggers_late: 0,
  triggers_overdue: 0,
  triggers_open: 0,
  visits: 0,
  petitions_assigned: 0,
  petitions_replied_on_time: 0,
  audits_sampled: 0,
  audits_confirmed: 0,
  audits_discrepancies: 0,
  audits_violations: 0,
  rota_days: 0,
  rota_covered: 0,
  households: 0,
  households_visited: 0,
  talk_day_months: 0,
  talk_day_months_held: 0,
}

const summary = (over: Partial<ScorecardSummary>): ScorecardSummary => ({ ...zero, ...over })

/** A translator that shows the key and its values, so that the tests see which message was chosen. */
const t = (key: string, named?: Record<string, unknown>) => (named ? `${key}${JSON.stringify(named)}` : key)

describe('dashboard figures', () => {
  it('computes the four shares and the violations of a township', () => {
    const f = figuresOf(
      summary({
        members: 4,
        weeks: 20,
        weeks_met: 15,
        stationing_behind: 1,
        stationing_days: 30,
        stationing_required_days: 360,
        triggers_on_time: 6,
        triggers_late: 1,
        triggers_overdue: 1,
        triggers_open: 5,
        petitions_assigned: 8,
        petitions_replied_on_time: 6,
        audits_sampled: 10,
        audits_violations: 2,
      }),
    )
    expect(f.nights).toEqual({ num: 15, den: 20, ratio: 0.75 })
    // Members not behind the pace: 4 − 1 of 4.
    expect(f.stationing).toEqual({ num: 3, den: 4, ratio: 0.75 })
    expect(f.stationingDays).toEqual({ days: 30, required: 360 })
    // Open triggers within their due time are not judged: 6 of 6 + 1 + 1.
    expect(f.visits).toEqual({ num: 6, den: 8, ratio: 0.75 })
    expect(f.petitions).toEqual({ num: 6, den: 8, ratio: 0.75 })
    expect(f.violations).toBe(2)
    expect(f.sampled).toBe(10)
    expect(chartValue(f, 'nights')).toBe(75)
    expect(chartValue(f, 'violations')).toBe(2)
    expect(figureText(t, f, 'visits')).toBe('dash.share{"pct":75,"num":6,"den":8}')
    expect(barLabel(t, f, 'petitions')).toBe('75%')
    expect(barLabel(t, f, 'violations')).toBe('2')
  })

  it('says "no data" for every share with nothing to divide by, never 0 % or NaN', () => {
    const f = figuresOf(zero)
    for (const key of ['nights', 'stationing', 'visits', 'petitions'] as const) {
      expect(f[key]).toEqual({ num: 0, den: 0, ratio: null })
      expect(percent(f[key])).toBeNull()
      expect(chartValue(f, key)).toBeNull()
      expect(figureText(t, f, key)).toBe('dash.noData')
      expect(barLabel(t, f, key)).toBe('dash.noData')
    }
    // No violations is a count of zero, not missing data.
    expect(chartValue(f, 'violations')).toBe(0)
    expect(figureText(t, f, 'violations')).toBe('dash.violationsValue{"n":0}')
  })

  it('judges only the triggers that are closed or overdue: all open means no data', () => {
    const f = figuresOf(summary({ triggers_open: 7 }))
    expect(f.visits.ratio).toBeNull()
    expect(figuresOf(summary({ triggers_overdue: 3 })).visits).toEqual({ num: 0, den: 3, ratio: 0 })
    expect(percent(figuresOf(summary({ triggers_overdue: 3 })).visits)).toBe(0)
  })

  it('counts a township with no team members as no data for nights and stationing', () => {
    const f = figuresOf(summary({ petitions_assigned: 2, petitions_replied_on_time: 2 }))
    expect(f.nights.ratio).toBeNull()
    expect(f.stationing.ratio).toBeNull()
    expect(percent(f.petitions)).toBe(100)
  })

  it('never shows 100 % unless every one, nor 0 % unless none', () => {
    expect(percent(share(199, 200))).toBe(99)
    expect(percent(share(200, 200))).toBe(100)
    expect(percent(share(1, 300))).toBe(1)
    expect(percent(share(0, 300))).toBe(0)
    expect(percent(share(2, 3))).toBe(67)
    expect(percent(share(1, 3))).toBe(33)
    expect(percent(share(1, 8))).toBe(13)
  })

  it('reads missing, negative or non-numeric counts as zero', () => {
    expect(share(-1, 4)).toEqual({ num: 0, den: 4, ratio: 0 })
    expect(share(Number.NaN, 0)).toEqual({ num: 0, den: 0, ratio: null })
    expect(share(3, undefined as unknown as number).ratio).toBeNull()
    // More behind than members cannot make a negative share.
    expect(figuresOf(summary({ members: 2, stationing_behind: 5 })).stationing).toEqual({ num: 0, den: 2, ratio: 0 })
  })

  it('turns an official’s row into one member, behind or not', () => {
    const row = {
      weeks: 4,
      weeks_met: 3,
      stationing_days: 5,
      stationing_required_days: 90,
      stationing_status: 'behind',
      triggers_on_time: 1,
      triggers_late: 0,
      triggers_overdue: 1,
      petitions_assigned: 0,
      petitions_replied_on_time: 0,
      audits_sampled: 1,
      audits_violations: 0,
    } as ScorecardRow
    expect(figuresOf(rowInput(row)).stationing).toEqual({ num: 0, den: 1, ratio: 0 })
    expect(figuresOf(rowInput({ ...row, stationing_status: 'on_track' })).stationing).toEqual({ num: 1, den: 1, ratio: 1 })
    expect(figuresOf(rowInput(row)).petitions.ratio).toBeNull()
  })
})

describe('dashboard period', () => {
  const today = '2026-05-20'

  it('defaults to this year so far, and the calendar offers last year and this year', () => {
    expect(defaultPeriod(today)).toEqual({ from: '2026-01-01', to: '2026-05-20' })
    expect(calendarBounds(today)).toEqual({ from: '2025-01-01', to: '2026-05-20' })
  })

  it('takes a period from the address only when the calendar could have chosen it', () => {
    expect(periodFrom({ from: '2026-03-01', to: '2026-03-31' }, today)).toEqual({ from: '2026-03-01', to: '2026-03-31' })
    // A whole leap-free year is 365 days, within the 366 the calendar allows.
    expect(periodFrom({ from: '2025-01-01', to: '2025-12-31' }, today)).toEqual({ from: '2025-01-01', to: '2025-12-31' })
    expect(periodFrom({ from: '2025-05-20', to: '2026-05-20' }, today)).toEqual({ from: '2025-05-20', to: '2026-05-20' }) // 366 days
    expect(periodFrom({ from: '2025-05-19', to: '2026-05-20' }, today)).toEqual(defaultPeriod(today)) // 367 days
    expect(periodFrom({ from: '2026-03-31', to: '2026-03-01' }, today)).toEqual(defaultPeriod(today))
    expect(periodFrom({ from: '2026-02-30', to: '2026-03-01' }, today)).toEqual(defaultPeriod(today))
    expect(periodFrom({ from: '2024-12-31', to: '2025-01-02' }, today)).toEqual(defaultPeriod(today))
    expect(periodFrom({ from: '2026-05-01', to: '2026-05-21' }, today)).toEqual(defaultPeriod(today))
    expect(periodFrom({ from: ['2026-05-01'], to: '2026-05-02' }, today)).toEqual(defaultPeriod(today))
    expect(periodFrom({}, today)).toEqual(defaultPeriod(today))
  })

  it('counts days with both ends included and checks dates', () => {
    expect(daysIn('2026-05-20', '2026-05-20')).toBe(1)
    expect(daysIn('2024-01-01', '2024-12-31')).toBe(366)
    expect(isDate('2024-02-29')).toBe(true)
    expect(isDate('2026-02-29')).toBe(false)
    expect(isDate('2026-5-1')).toBe(false)
  })

  it('converts between the calendar’s local dates and YYYY-MM-DD', () => {
    expect(fromCalendarDate(toCalendarDate('2026-01-31'))).toBe('2026-01-31')
    expect(fromCalendarDate(new Date(2026, 11, 31, 23, 59))).toBe('2026-12-31')
  })
})

function district(from: string, to: string, name = '青山镇'): DistrictScorecard {
  return {
    from,
    to,
    townships: [{ township_id: 't1', name, from, to, rows: [], rota_days: 0, rota_covered: 0, households: 0, households_visited: 0, talk_day_months: 0, talk_day_months_held: 0, summary: zero }],
    total: zero,
  }
}

describe('dashboard figures kept for offline use', () => {
  const owner = 'u1'

  it('fetches the district view, keeps it, and shows the saved copy with its time when the network fails', async () => {
    let offline = false
    const r = await rig({ handler: () => (offline ? Promise.reject(new TypeError('Failed to fetch')) : json(200, district('2026-01-01', '2026-05-20'))) })
    const saved = new SavedViews()
    const fetch = () => readDistrict(r.client, '2026-01-01', '2026-05-20')
    const first = await loadView(saved, owner, '2026-01-01', '2026-05-20', fetch, () => 1000)
    expect(first).toMatchObject({ fetchedAt: 1000, offline: false, otherPeriod: false })
    expect(r.server.calls[0].url).toBe('/api/v1/scorecards?from=2026-01-01&to=2026-05-20')

    offline = true
    const again = await loadView(saved, owner, '2026-01-01', '2026-05-20', fetch, () => 5000)
    expect(again).toMatchObject({ fetchedAt: 1000, offline: true, otherPeriod: false })
    expect(again.answer.townships[0].name).toBe('青山镇')
  })

  it('offline, falls back to the latest period fetched, and says it is another period', async () => {
    const saved = new SavedViews()
    await saved.save(owner, { from: '2026-01-01', to: '2026-01-31' }, district('2026-01-01', '2026-01-31', '一月'), 100)
    await saved.save(owner, { from: '2026-02-01', to: '2026-02-28' }, district('2026-02-01', '2026-02-28', '二月'), 200)
    await saved.save('someone-else', { from: '2026-03-01', to: '2026-03-31' }, district('2026-03-01', '2026-03-31', '别人的'), 300)
    const down = () => Promise.reject(new TypeError('Failed to fetch'))
    const exact = await loadView(saved, owner, '2026-01-01', '2026-01-31', down)
    expect(exact).toMatchObject({ fetchedAt: 100, offline: true, otherPeriod: false })
    const other = await loadView(saved, owner, '2026-04-01', '2026-04-30', down)
    expect(other).toMatchObject({ fetchedAt: 200, offline: true, otherPeriod: true })
    expect(other.answer.townships[0].name).toBe('二月')
    // Nothing saved for this user at all: the network failure shows.
    await expect(loadView(saved, 'nobody', '2026-01-01', '2026-01-31', down)).rejects.toThrow('Failed to fetch')
  })

  it('never hides an answer of the server behind a saved copy', async () => {
    const r = await rig({ handler: () => problem(422, 'invalid', 'to is before from') })
    const saved = new SavedViews()
    await saved.save(owner, { from: '2026-01-01', to: '2026-01-31' }, district('2026-01-01', '2026-01-31'), 100)
    await expect(loadView(saved, owner, '2026-01-01', '2026-01-31', () => readDistrict(r.client, '2026-01-01', '2026-01-31'))).rejects.toThrow(
      'to is before from',
    )
  })

  it('keeps the latest periods per user (a dozen by default), dropping the oldest fetched', async () => {
    const saved = new SavedViews('minxin-dashboard', 3)
    for (let m = 1; m <= 5; m++) {
      const from = `2026-0${m}-01`
      const to = `2026-0${m}-28`
      await saved.save(owner, { from, to }, district(from, to), m)
    }
    expect(await saved.get(owner, '2026-01-01', '2026-01-28')).toBeUndefined()
    expect(await saved.get(owner, '2026-02-01', '2026-02-28')).toBeUndefined()
    expect((await saved.get(owner, '2026-03-01', '2026-03-28'))?.fetched_at).toBe(3)
    expect((await saved.latest(owner))?.from).toBe('2026-05-01')
    // Fetching an old period again makes it the newest.
    await saved.save(owner, { from: '2026-03-01', to: '2026-03-28' }, district('2026-03-01', '2026-03-28'), 9)
    expect((await saved.latest(owner))?.from).toBe('2026-03-01')
  })
})
