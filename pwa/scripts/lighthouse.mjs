// Lighthouse (pinned 12.2.3) on the villager entry page "/" as `minxin serve` serves it, with
// the default mobile preset (a mid-range phone, simulated slow 4G and 4× CPU slowdown), in
// Debian's headless Chromium. Fails below a performance score of 90.
//
// Usage: npm run build && npm run lighthouse [-- --runs=3] [-- --url=http://127.0.0.1:8080/]
// Without --url it builds the Go binary and serves a fresh demo database (as the e2e tests
// do). With several runs the median score counts. Run it when the machine is quiet: the
// simulated throttling scales what it measures, so a busy CPU lowers the score.
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { CHROMIUM, CHROMIUM_ARGS, RESULTS, startServer } from '../e2e/harness.mjs'

const MIN_PERFORMANCE = 90

function option(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`))
  return arg ? arg.slice(name.length + 3) : fallback
}

const runs = Math.max(1, Number(option('runs', '1')))
let url = option('url', '')
let server = null
if (!url) {
  server = await startServer()
  url = `${server.url}/`
}

const scores = []
let exitCode = 0
try {
  for (let i = 0; i < runs; i++) {
    const chrome = await chromeLauncher.launch({
      chromePath: CHROMIUM,
      chromeFlags: CHROMIUM_ARGS,
      logLevel: 'silent',
    })
    try {
      const result = await lighthouse(
        url,
        { port: chrome.port, output: 'html', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'] },
        undefined,
      )
      if (!result) throw new Error('Lighthouse gave no result')
      const { lhr } = result
      if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
      const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100)
      const audit = (id) => lhr.audits[id]?.displayValue ?? '?'
      scores.push(score('performance'))
      console.log(
        `run ${i + 1}/${runs}: performance ${score('performance')}, accessibility ${score('accessibility')}, ` +
          `best practices ${score('best-practices')} · FCP ${audit('first-contentful-paint')}, LCP ${audit('largest-contentful-paint')}, ` +
          `TBT ${audit('total-blocking-time')}, CLS ${audit('cumulative-layout-shift')}, SI ${audit('speed-index')} · ` +
          `Lighthouse ${lhr.lighthouseVersion}, ${lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}, ` +
          `load average ${loadavg()[0].toFixed(2)}`,
      )
      await mkdir(RESULTS, { recursive: true })
      await writeFile(join(RESULTS, `lighthouse-${i + 1}.html`), result.report)
    } finally {
      chrome.kill()
    }
  }
  const sorted = [...scores].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]
  console.log(`villager entry page ${url}: performance ${median}${runs > 1 ? ` (median of ${scores.join(', ')})` : ''}, minimum ${MIN_PERFORMANCE}`)
  if (median < MIN_PERFORMANCE) {
    console.error('performance below the minimum')
    exitCode = 1
  }
} catch (err) {
  console.error(err)
  exitCode = 2
} finally {
  await server?.stop()
}
process.exit(exitCode)
