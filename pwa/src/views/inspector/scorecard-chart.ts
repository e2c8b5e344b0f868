/**
 * The scorecard chart: ECharts with only the bar chart, grid, tooltip and legend and the SVG
 * renderer. This module is imported dynamically by the scorecard page alone.
 */
import { use, init, type ComposeOption } from 'echarts/core'
import { BarChart, type BarSeriesOption } from 'echarts/charts'
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
import type { ScorecardRow } from '../../api/audits'

use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer])

type Option = ComposeOption<BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>

export interface ChartLabels {
  nights: string
  nightsRequired: string
  stationing: string
  visits: string
}

export function scorecardOption(rows: readonly ScorecardRow[], labels: ChartLabels): Option {
  const names = rows.map((r) => r.display_name)
  return {
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, textStyle: { fontSize: 13 } },
    grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { fontSize: 13 } },
    series: [
      { name: labels.nights, type: 'bar', data: rows.map((r) => r.nights_counted), itemStyle: { color: '#b71c1c' } },
      { name: labels.nightsRequired, type: 'bar', data: rows.map((r) => r.nights_required), itemStyle: { color: '#e0a3a3' } },
      { name: labels.stationing, type: 'bar', data: rows.map((r) => r.stationing_days), itemStyle: { color: '#1565c0' } },
      { name: labels.visits, type: 'bar', data: rows.map((r) => r.visits), itemStyle: { color: '#2e7d32' } },
    ],
  }
}

/** Draws the chart into el; answers a function that removes it. */
export function renderScorecardChart(el: HTMLElement, rows: readonly ScorecardRow[], labels: ChartLabels): () => void {
  const chart = init(el, undefined, { renderer: 'svg' })
  chart.setOption(scorecardOption(rows, labels))
  const resize = () => chart.resize()
  window.addEventListener('resize', resize)
  return () => {
    window.removeEventListener('resize', resize)
    chart.dispose()
  }
}

/** The ECharts option of a bar chart this module can draw (the petition figures' too). */
export type BarChartOption = Option

/**
 * Draws any bar chart of these components into el; answers a function that removes it. The
 * petition figures use it, so that ECharts stays in this one lazily loaded chunk.
 */
export function renderChart(el: HTMLElement, option: BarChartOption): () => void {
  const chart = init(el, undefined, { renderer: 'svg' })
  chart.setOption(option)
  const resize = () => chart.resize()
  window.addEventListener('resize', resize)
  return () => {
    window.removeEventListener('resize', resize)
    chart.dispose()
  }
}
