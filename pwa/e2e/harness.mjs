// End-to-end harness: a real `minxin serve` on a fresh demo database, and Debian's headless
// Chromium driven by playwright-core. The PWA must already be built into the binary's embed
// directory (npm run build), since `go build` embeds backend/internal/web/dist.
import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'

const run = promisify(execFile)

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const PWA = fileURLToPath(new URL('../', import.meta.url))
export const RESULTS = join(PWA, 'test-results')
export const DEMO_PASSWORD = 'minxin-demo-2026'
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]
/** The phone the villager pages are made for. */
export const PHONE = { width: 360, height: 640 }

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

async function waitReady(url, child, log, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`minxin serve exited with ${child.exitCode}:\n${log()}`)
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`minxin serve not ready after ${timeoutMs} ms:\n${log()}`)
}

/**
 * Builds the Go binary, loads the demo district into a fresh data directory and serves it on
 * a free port of 127.0.0.1. Answers the base URL, the demo logins printed by `minxin demo`,
 * and stop(), which ends the server and removes the directory.
 */
export async function startServer() {
  const dir = await mkdtemp(join(tmpdir(), 'minxin-e2e-'))
  const bin = join(dir, 'minxin')
  const data = join(dir, 'data')
  await mkdir(data)
  const built = await readFile(join(REPO, 'backend/internal/web/dist/index.html'), 'utf8').catch(() => null)
  if (built === null) throw new Error('the PWA is not built: run npm run build before npm run e2e')
  await run('go', ['build', '-o', bin, './backend/cmd/minxin'], { cwd: REPO, maxBuffer: 16 << 20 })
  const env = { ...process.env, MINXIN_DATA_DIR: data }
  const demo = await run(bin, ['demo'], { env, maxBuffer: 16 << 20 })
  const logins = [...demo.stdout.matchAll(/^\s{2}(\S+)\s+(admin|inspector|petition_officer|official)\b/gm)].map((m) => ({
    username: m[1],
    role: m[2],
  }))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(bin, ['serve'], { env: { ...env, MINXIN_ADDR: `127.0.0.1:${port}` }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  try {
    await waitReady(url, child, () => output)
  } catch (err) {
    child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  return {
    url,
    logins,
    log: () => output,
    /** Runs another `minxin` subcommand on the same database (e.g. `remind --at …`); answers its stdout. */
    async cli(...args) {
      return (await run(bin, args, { env, maxBuffer: 16 << 20 })).stdout
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Headless Chromium with a fresh profile of its own (service workers, IndexedDB and caches
 * start empty), a 360 × 640 phone viewport and Chinese as the browser's language.
 */
export async function openBrowser(options = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'minxin-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    serviceWorkers: 'allow',
    ...options,
  })
  context.setDefaultTimeout(15_000)
  const errors = []
  context.on('page', (page) => watchPage(page, errors))
  for (const page of context.pages()) watchPage(page, errors)
  return {
    context,
    /** Uncaught errors of the pages so far. */
    errors,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

function watchPage(page, errors) {
  page.on('pageerror', (err) => errors.push(String(err)))
  // The server's Content-Security-Policy allows no inline script or style: a page whose
  // scripts or styles it blocks shows here. (Vant's icon CSS also names a remote font after
  // the embedded one; the policy blocks that load, which changes nothing on screen.)
  page.on('console', (msg) => {
    const text = msg.text()
    if (msg.type() === 'error' && /Content Security Policy directive: "(script|style|default)-src/.test(text)) errors.push(text)
  })
}

/** Saves a screenshot of the page under pwa/test-results/. */
export async function screenshot(page, name) {
  await mkdir(RESULTS, { recursive: true })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true })
}

let axeSource = null

/**
 * Runs axe-core in the page and answers its serious and critical violations, each as
 * "rule: target …" lines, so that a failing assertion says what to fix.
 */
export async function axeViolations(page) {
  axeSource ??= await readFile(join(PWA, 'node_modules/axe-core/axe.min.js'), 'utf8')
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined')
  // Evaluated through the DevTools protocol: the page's CSP forbids inline scripts.
  if (!loaded) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }))
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.slice(0, 5).join(', ')}`)
}

/** Logs in through the API and answers the access token. */
export async function apiLogin(url, username, password = DEMO_PASSWORD) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
  return (await res.json()).access_token
}
