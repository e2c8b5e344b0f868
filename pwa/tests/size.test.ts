import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { initialAssets } from '../scripts/size.mjs'

function dist(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'minxin-size-'))
  mkdirSync(join(dir, 'assets'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

describe('initial assets of the entry page', () => {
  it('follows static imports and modulepreloads, not dynamic imports', () => {
    const dir = dist({
      'index.html':
        '<script type="module" crossorigin src="/assets/index-a.js"></script>' +
        '<link rel="modulepreload" crossorigin href="/assets/vendor-b.js">' +
        '<link rel="stylesheet" crossorigin href="/assets/index-a.css">' +
        '<link rel="manifest" href="/manifest.webmanifest">',
      'assets/index-a.js': 'import{a as x}from"./shared-c.js";import"./side-d.js";const L=()=>import("./Lazy-e.js");',
      'assets/vendor-b.js': 'export const v=1;',
      'assets/shared-c.js': 'export*from"./deep-f.js";',
      'assets/side-d.js': 'console.log(1)',
      'assets/deep-f.js': 'export const d=1;',
      'assets/Lazy-e.js': 'import"./lazy-only-g.js";',
      'assets/index-a.css': 'body{color:red}',
    })
    const { js, css } = initialAssets(dir)
    expect(js.map((f) => f.url).sort()).toEqual([
      '/assets/deep-f.js',
      '/assets/index-a.js',
      '/assets/shared-c.js',
      '/assets/side-d.js',
      '/assets/vendor-b.js',
    ])
    expect(css.map((f) => f.url)).toEqual(['/assets/index-a.css'])
  })
})
