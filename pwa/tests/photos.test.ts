import { afterEach, describe, expect, it, vi } from 'vitest'
import { fitWithin, resizePhoto } from '../src/photos/resize'
import { queuePhoto } from '../src/photos/queue'

describe('photo size', () => {
  it('fits the long side within the limit, keeps the ratio and never enlarges', () => {
    expect(fitWithin(4000, 3000, 1280)).toEqual({ width: 1280, height: 960 })
    expect(fitWithin(3000, 4000, 1280)).toEqual({ width: 960, height: 1280 })
    expect(fitWithin(800, 600, 1280)).toEqual({ width: 800, height: 600 })
    expect(fitWithin(5000, 10, 1280)).toEqual({ width: 1280, height: 3 })
  })
})

describe('resizePhoto', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  function stubCanvas(width: number, height: number) {
    const drawn: unknown[][] = []
    const encoded: { type: string; quality: number }[] = []
    const bitmap = { width, height, close: vi.fn() }
    vi.stubGlobal('createImageBitmap', vi.fn(async () => bitmap))
    vi.stubGlobal(
      'OffscreenCanvas',
      class {
        constructor(
          public width: number,
          public height: number,
        ) {}
        getContext() {
          return { fillStyle: '', fillRect: () => undefined, drawImage: (...args: unknown[]) => drawn.push(args) }
        }
        async convertToBlob(options: { type: string; quality: number }) {
          encoded.push(options)
          return new Blob([`${this.width}x${this.height}`], { type: options.type })
        }
      },
    )
    return { drawn, encoded, bitmap }
  }

  it('draws the photo at about 1280 px on the long side as JPEG quality 0.7', async () => {
    const { drawn, encoded, bitmap } = stubCanvas(4032, 3024)
    const jpeg = await resizePhoto(new Blob(['raw'], { type: 'image/png' }))
    expect(drawn).toEqual([[bitmap, 0, 0, 1280, 960]])
    expect(encoded).toEqual([{ type: 'image/jpeg', quality: 0.7 }])
    expect(jpeg.type).toBe('image/jpeg')
    expect(await jpeg.text()).toBe('1280x960')
    expect(bitmap.close).toHaveBeenCalledOnce()
  })

  it('queues the resized photo under a .jpg name and answers its placeholder', async () => {
    stubCanvas(2000, 1000)
    const enqueueUpload = vi.fn(async () => 'local-attachment:abc')
    const placeholder = await queuePhoto({ enqueueUpload }, new File(['raw'], 'IMG_0001.HEIC', { type: 'image/heic' }))
    expect(placeholder).toBe('local-attachment:abc')
    const [blob, name] = enqueueUpload.mock.calls[0] as unknown as [Blob, string]
    expect(name).toBe('IMG_0001.jpg')
    expect(await blob.text()).toBe('1280x640')
  })
})
