import type { Household } from '../../api/duties'

/**
 * The household a QR token names. Tokens read "v1.<household id>.<signature>"; only the
 * server can check the signature, so a token that parses is still only a claim.
 */
export function householdOfToken(token: string): string | null {
  const m = /^v\d+\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]+$/i.exec(token.trim())
  return m ? m[1].toLowerCase() : null
}

/** Households matching every word of the search in name or address, within a village if given. */
export function searchHouseholds(all: readonly Household[], text: string, villageId: string | null): Household[] {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean)
  return all.filter(
    (h) =>
      (villageId === null || h.village_id === villageId) &&
      words.every((w) => h.head_name.toLowerCase().includes(w) || h.address.toLowerCase().includes(w)),
  )
}

/** Minimal typing of the Barcode Detection API, where the browser has it. */
export interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<{ rawValue: string; format: string }[]>
}
interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorLike
  getSupportedFormats?(): Promise<string[]>
}

/** A QR detector when the browser has BarcodeDetector with qr_code, else null (typed fallback). */
export async function qrDetector(scope: unknown = globalThis): Promise<BarcodeDetectorLike | null> {
  const ctor = (scope as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector
  if (typeof ctor !== 'function') return null
  try {
    const formats = ctor.getSupportedFormats ? await ctor.getSupportedFormats() : ['qr_code']
    if (!formats.includes('qr_code')) return null
    return new ctor({ formats: ['qr_code'] })
  } catch {
    return null
  }
}
