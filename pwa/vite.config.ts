import { createHash } from 'node:crypto'
import { posix } from 'node:path'
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
 * most of the render-blocking entry stylesheet. This moves it into a file of its own: the
 * browser fetches a font only once a page shows one of its glyphs, without holding up the first
 * paint, and the service worker precaches it for offline use.
 */
function vantIconFontFile(): Plugin {
  const WOFF2_DATA_URL = /url\(\s*["']?data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)["']?\s*\)/g
  return {
    name: 'minxin:vant-icon-font-file',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const asset of Object.values(bundle)) {
        if (asset.type !== 'asset' || !asset.fileName.endsWith('.css') || typeof asset.source !== 'string') continue
        asset.source = asset.source.replace(WOFF2_DATA_URL, (_match, base64: string) => {
          const font = Buffer.from(base64, 'base64')
          const fileName = `assets/vant-icon-${createHash('sha256').update(font).digest('hex').slice(0, 8)}.woff2`
          if (!(fileName in bundle)) this.emitFile({ type: 'asset', fileName, source: font })
          return `url(${posix.relative(posix.dirname(asset.fileName), fileName)})`
        })
      }
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
        // The scorecard chart (ECharts) is fetched when an inspector opens the scorecards, not
        // installed on every phone that visits.
        globIgnores: ['**/scorecard-chart-*.js'],
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
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
