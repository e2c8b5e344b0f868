export interface PhotoOptions {
  /** Longest side of the result, in pixels. */
  maxSide?: number
  /** JPEG quality, 0 to 1. */
  quality?: number
}

/** The size that fits within maxSide on the long side, keeping the aspect ratio; never enlarges. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

function canvasOf(width: number, height: number): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height)
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  return canvas
}

function toJpeg(canvas: OffscreenCanvas | HTMLCanvasElement, quality: number): Promise<Blob> {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type: 'image/jpeg', quality })
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('could not encode JPEG'))), 'image/jpeg', quality),
  )
}

/**
 * Re-encodes a photo as JPEG of about 1280 px on the long side at quality 0.7 before it is
 * queued, so that uploads over a weak signal stay small. EXIF orientation is applied.
 */
export async function resizePhoto(file: Blob, options: PhotoOptions = {}): Promise<Blob> {
  const maxSide = options.maxSide ?? 1280
  const quality = options.quality ?? 0.7
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  try {
    const size = fitWithin(bitmap.width, bitmap.height, maxSide)
    const canvas = canvasOf(size.width, size.height)
    const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null
    if (!context) throw new Error('no 2d canvas context')
    context.fillStyle = '#ffffff'
    context.fillRect(0, 0, size.width, size.height)
    context.drawImage(bitmap, 0, 0, size.width, size.height)
    return await toJpeg(canvas, quality)
  } finally {
    bitmap.close()
  }
}
