// Draws the app icons into public/icons: the character 民 in white on the theme red, as
// straight strokes (no font needed). "any" icons are a red disc on transparency; maskable
// and Apple icons fill the square and keep the mark inside the 80 % safe zone.
// Run with `npm run icons`; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PNG } from 'pngjs'

const RED = [0xb7, 0x1c, 0x1c]
const WHITE = [0xff, 0xff, 0xff]
const SAMPLES = 4 // per axis, for anti-aliasing

// Strokes of 民 as polylines in a unit box (x right, y down): 横折, 横, 竖提, 横, 斜钩.
const STROKES = [
  [[0.14, 0.1], [0.74, 0.1], [0.74, 0.4]],
  [[0.14, 0.4], [0.74, 0.4]],
  [[0.14, 0.1], [0.14, 0.9], [0.38, 0.78]],
  [[0.14, 0.63], [0.86, 0.63]],
  [[0.41, 0.4], [0.47, 0.58], [0.57, 0.74], [0.71, 0.86], [0.88, 0.93], [0.89, 0.77]],
]
const STROKE_WIDTH = 0.1

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

function inGlyph(x, y) {
  for (const line of STROKES) {
    for (let i = 1; i < line.length; i++) {
      if (segmentDistance(x, y, line[i - 1], line[i]) <= STROKE_WIDTH / 2) return true
    }
  }
  return false
}

/**
 * size: pixels; glyph: the glyph box's side as a share of the icon; disc: true for a red
 * disc on transparency, false for a full red square.
 */
function draw(size, glyph, disc) {
  const png = new PNG({ width: size, height: size })
  const glyphOrigin = (1 - glyph) / 2
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let background = 0
      let mark = 0
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) / size
          const y = (py + (sy + 0.5) / SAMPLES) / size
          const inside = !disc || Math.hypot(x - 0.5, y - 0.5) <= 0.48
          if (!inside) continue
          background++
          if (inGlyph((x - glyphOrigin) / glyph, (y - glyphOrigin) / glyph)) mark++
        }
      }
      const n = SAMPLES * SAMPLES
      const white = background === 0 ? 0 : mark / background
      const offset = (py * size + px) * 4
      for (let c = 0; c < 3; c++) png.data[offset + c] = Math.round(RED[c] * (1 - white) + WHITE[c] * white)
      png.data[offset + 3] = Math.round((255 * background) / n)
    }
  }
  return PNG.sync.write(png)
}

const out = fileURLToPath(new URL('../public/icons/', import.meta.url))
mkdirSync(out, { recursive: true })
const icons = {
  'icon-192.png': draw(192, 0.56, true),
  'icon-512.png': draw(512, 0.56, true),
  'maskable-192.png': draw(192, 0.5, false),
  'maskable-512.png': draw(512, 0.5, false),
  'apple-touch-icon.png': draw(180, 0.56, false),
}
for (const [name, bytes] of Object.entries(icons)) {
  writeFileSync(out + name, bytes)
  console.log(`${name}: ${bytes.length} bytes`)
}
