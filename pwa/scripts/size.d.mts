export interface Asset {
  url: string
  code: string
}
export function initialAssets(dist: string): { js: Asset[]; css: Asset[] }
export function gzipSize(code: string): number
