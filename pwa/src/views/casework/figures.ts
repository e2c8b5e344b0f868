/** The petition figures as the screen shows them: the chart's option and the table's columns. */
import type { FigureRow, Figures } from '../../api/casework'
import type { BarChartOption } from '../inspector/scorecard-chart'

/** The columns of the figures table, in order (the full set is in the download). */
export const figureColumns = [
  'received',
  'accepted',
  'not_accepted',
  'replied',
  'replied_on_time',
  'overdue',
  'extended',
  'satisfied',
  'dissatisfied',
  'reviews_requested',
  'withdrawn',
  'possible_duplicates',
] as const satisfies readonly (keyof FigureRow)[]

export interface FigureLabels {
  received: string
  repliedOnTime: string
  overdue: string
}

/** Bars per township: received, replied on time, overdue. */
export function figuresOption(f: Figures, labels: FigureLabels): BarChartOption {
  const rows = f.townships
  return {
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, textStyle: { fontSize: 13 } },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => r.township_name), inverse: true, axisLabel: { fontSize: 13 } },
    series: [
      { name: labels.received, type: 'bar', data: rows.map((r) => r.received), itemStyle: { color: '#1565c0' } },
      { name: labels.repliedOnTime, type: 'bar', data: rows.map((r) => r.replied_on_time), itemStyle: { color: '#2e7d32' } },
      { name: labels.overdue, type: 'bar', data: rows.map((r) => r.overdue), itemStyle: { color: '#b71c1c' } },
    ],
  }
}
