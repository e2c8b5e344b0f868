// What the villager entry page "/" loads before it can render: index.html's entry scripts,
// modulepreloads and stylesheets, and every chunk those scripts import statically.
// Dynamic import("…") is lazy and is not followed.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const attr = (tag, name) => tag.match(new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`))?.[1]
const local = (url) => url.startsWith('/') && !url.startsWith('//')

// Static imports in minified ES modules: `import{a as b}from"./x.js"`, `import"./x.js"`,
// `export*from"./x.js"`.
const STATIC_IMPORT = /(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g

/** Answers {js: [{url, code}], css: [{url, code}]} for the page index.html in dist. */
export function initialAssets(dist) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8')
  const scripts = []
  const styles = []
  for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) {
    const src = attr(tag, 'src')
    if (src && local(src)) scripts.push(src)
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) {
    const rel = attr(tag, 'rel')
    const href = attr(tag, 'href')
    if (!href || !local(href)) continue
    if (rel === 'stylesheet') styles.push(href)
    if (rel === 'modulepreload') scripts.push(href)
  }

  const js = new Map()
  const visit = (url) => {
    if (js.has(url)) return
    const code = readFileSync(join(dist, url), 'utf8')
    js.set(url, code)
    for (const [, spec] of code.matchAll(STATIC_IMPORT)) {
      visit(spec.startsWith('/') ? spec : new URL(spec, `http://dist${url}`).pathname)
    }
  }
  scripts.forEach(visit)

  return {
    js: [...js].map(([url, code]) => ({ url, code })),
    css: [...new Set(styles)].map((url) => ({ url, code: readFileSync(join(dist, url), 'utf8') })),
  }
}

export function gzipSize(code) {
  return gzipSync(code, { level: 9 }).length
}
