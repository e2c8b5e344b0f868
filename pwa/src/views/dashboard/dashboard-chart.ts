/**
 * The dashboard chart: one figure for every township as horizontal bars, ECharts with only
 * the bar chart, grid and tooltip and the SVG renderer (the same parts as the scorecard chart,
 * so both share one ECharts chunk). Imported dynamically by the dashboard alone; a tap on a
 * bar or on a township's name calls onPick with the township's index.
 */
import { use, init, type ComposeOption, type ECharts } from 'echarts/core'
import { BarChart, type BarSeriesOption } from 'echarts/charts'
import { GridComponent, TooltipComponent, type GridComponentOption, type TooltipComponentOption } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

use([BarChart, GridComponent, TooltipComponent, SVGRenderer])

type Option = ComposeOption<BarSeriesOption | GridComponentOption | TooltipComponentOption>

export interface DashboardBars {
  names: string[]
  /** A value per township; null (nothing to divide by) draws an empty bar with its label. */
  values: (number | null)[]
  /** What each bar's label says (e.g. "75%", "无数据"). */
  labels: string[]
  /** Percentages (0–100 axis) or counts. */
  percent: boolean
  seriesName: string
}

export function dashboardOption(bars: DashboardBars): Option {
  const top = Math.max(0, ...bars.values.map((v) => v ?? 0))
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const i = (p as { dataIndex: number }).dataIndex
        return `${escapeHtml(bars.names[i])}<br>${escapeHtml(bars.seriesName)}：${escapeHtml(bars.labels[i])}`
      },
    },
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    xAxis: bars.percent
      ? { type: 'value', min: 0, max: Math.max(100, top), axisLabel: { formatter: '{value}%', fontSize: 12 } }
      : { type: 'value', min: 0, minInterval: 1, max: top > 0 ? undefined : 1, axisLabel: { fontSize: 12 } },
    yAxis: {
      type: 'category',
      data: bars.names,
      inverse: true,
      triggerEvent: true,
      axisLabel: { fontSize: 14, color: '#1f2329' },
    },
    series: [
      {
        name: bars.seriesName,
        type: 'bar',
        barMaxWidth: 28,
        data: bars.values.map((v) => v ?? 0),
        itemStyle: { color: '#b71c1c' },
        label: {
          show: true,
          position: 'right',
          color: '#1f2329',
          fontSize: 13,
          formatter: (p: unknown) => bars.labels[(p as { dataIndex: number }).dataIndex] ?? '',
        },
      },
    ],
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export interface DashboardChart {
  update(bars: DashboardBars): void
  dispose(): void
}

/** Draws the chart into el; a tap on a township's bar or name calls onPick with its index. */
export function renderDashboardChart(el: HTMLElement, bars: DashboardBars, onPick: (index: number) => void): DashboardChart {
  const chart: ECharts = init(el, undefined, { renderer: 'svg' })
  let names = bars.names
  chart.setOption(dashboardOption(bars))
  chart.on('click', (p) => {
    if (p.componentType === 'series' && typeof p.dataIndex === 'number') onPick(p.dataIndex)
    else if (p.componentType === 'yAxis') {
      const i = names.indexOf(String((p as { value?: unknown }).value))
      if (i >= 0) onPick(i)
    }
  })
  const resize = () => chart.resize()
  window.addEventListener('resize', resize)
  return {
    update(next) {
      names = next.names
      chart.setOption(dashboardOption(next), { notMerge: true })
      chart.resize()
    },
    dispose() {
      window.removeEventListener('resize', resize)
      chart.dispose()
    },
  }
}
