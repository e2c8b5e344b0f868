import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

// The Go binary embeds backend/internal/web/dist (//go:embed all:dist) and serves it at /.
const outDir = fileURLToPath(new URL('../backend/internal/web/dist', import.meta.url))

/**
 * Vant embeds its icon font in its CSS as a base64 woff2 (about 25 KB gzipped), which made it
 * most of the render-blocking entry stylesheet. This moves it into a file of its own (before
 * the CSS is hashed, so that the stylesheet's name changes with the font's), preloaded by
 * index.html so that it arrives alongside the scripts without holding up the first paint, and
 * precached by the service worker for offline use. The font's fallback on a CDN is dropped: the
 * server's CSP (font-src 'self') blocks it anyway, and every browser the app supports has woff2.
 */
function vantIconFontFile(): Plugin {
  const FONT_FACE = /@font-face\s*\{[^}]*\}/g
  const WOFF2_DATA_URL = /url\(\s*["']?data:font\/woff2;[^,)]*base64,([A-Za-z0-9+/=]+)["']?\s*\)/
  const SRC = /src\s*:\s*(?:url\([^)]*\)|format\([^)]*\)|[\s,])+/
  const fonts: string[] = [] // reference ids of the emitted fonts
  return {
    name: 'minxin:vant-icon-font-file',
    apply: 'build',
    transform(code, id) {
      if (!/\.css($|\?)/.test(id) || !code.includes('data:font/woff2')) return null
      const css = code.replace(FONT_FACE, (face) => {
        const base64 = face.match(WOFF2_DATA_URL)?.[1]
        if (!base64) return face
        const ref = this.emitFile({ type: 'asset', name: 'vant-icon.woff2', source: Buffer.from(base64, 'base64') })
        fonts.push(ref)
        // Vite's CSS plugin turns the placeholder into the font's URL.
        return face.replace(SRC, `src:url(__VITE_ASSET__${ref}__) format("woff2")`)
      })
      return { code: css, map: null }
    },
    // After Vite has written index.html into the bundle.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const html = bundle['index.html']
        if (html?.type !== 'asset' || typeof html.source !== 'string') return
        const entryCss = [...html.source.matchAll(/<link rel="stylesheet"[^>]*href="\/([^"]+)"/g)].map((m) => String((bundle[m[1]] as { source?: unknown } | undefined)?.source))
        const links = [...new Set(fonts.map((ref) => this.getFileName(ref)))]
          .filter((font) => entryCss.some((css) => css.includes(`/${font}`)))
          .map((font) => `<link rel="preload" href="/${font}" as="font" type="font/woff2" crossorigin>`)
        if (links.length) html.source = html.source.replace('</head>', `  ${links.join('\n    ')}\n  </head>`)
      },
    },
  }
}

export default defineConfig({
  define: {
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  plugins: [
    vue(),
    vantIconFontFile(),
    Components({ dirs: [], resolvers: [VantResolver()], dts: 'src/components.d.ts' }),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,woff2,webmanifest}'],
        // The scorecard and dashboard charts (ECharts) are fetched when someone opens those
        // pages, not installed on every phone that visits.
        globIgnores: ['**/scorecard-chart-*.js', '**/dashboard-chart-*.js', '**/echarts-*.js'],
      },
      manifest: {
        id: '/',
        name: '民心',
        short_name: '民心',
        description: '民心工程：接访、住夜、蹲点、走访与群众诉求办理',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#b71c1c',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      output: {
        // ECharts in one chunk of its own that both charts share (and the precache skips).
        manualChunks: (id) => (/[\\/]node_modules[\\/](echarts|zrender|tslib)[\\/]/.test(id) ? 'echarts' : undefined),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
