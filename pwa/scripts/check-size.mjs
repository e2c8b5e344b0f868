// Size budget of the villager entry page "/": the JavaScript and CSS a first visit needs
// before it can render, gzipped (see size.mjs for what counts). Lazily loaded pages do not.
// Usage: node scripts/check-size.mjs [dist directory]; exits 1 over the budget.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSize, initialAssets } from './size.mjs'

const BUDGET_BYTES = 200 * 1024
const dist = process.argv[2] ?? fileURLToPath(new URL('../../backend/internal/web/dist/', import.meta.url))
if (!existsSync(join(dist, 'index.html'))) {
  console.error(`no index.html in ${dist}: run npm run build first`)
  process.exit(2)
}

const { js, css } = initialAssets(dist)
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const measured = (files) => files.map(({ url, code }) => ({ url, raw: Buffer.byteLength(code), gzip: gzipSize(code) }))
const jsFiles = measured(js)
const cssFiles = measured(css)
for (const f of [...jsFiles, ...cssFiles]) console.log(`${kb(f.gzip).padStart(9)} gzip  ${kb(f.raw).padStart(9)} raw  ${f.url}`)

const sum = (files) => files.reduce((total, f) => total + f.gzip, 0)
const jsTotal = sum(jsFiles)
const cssTotal = sum(cssFiles)
console.log(`entry page "/": JS ${kb(jsTotal)} + CSS ${kb(cssTotal)} = ${kb(jsTotal + cssTotal)} gzipped (budget ${kb(BUDGET_BYTES)})`)
if (jsTotal + cssTotal > BUDGET_BYTES) {
  console.error('over budget: load more of it lazily')
  process.exit(1)
}
