import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { accuracyLevel, evidenceOf, isBetter, locate, roundedMetres, type GeolocationLike } from '../src/location/geo'

/** A fake navigator.geolocation whose fixes and errors the test emits. */
class FakeGeolocation implements GeolocationLike {
  success: PositionCallback | null = null
  error: PositionErrorCallback | null | undefined = null
  options: PositionOptions | undefined
  cleared: number[] = []
  nextId = 7

  watchPosition = (success: PositionCallback, error?: PositionErrorCallback | null, options?: PositionOptions): number => {
    this.success = success
    this.error = error
    this.options = options
    return this.nextId
  }

  clearWatch = (id: number): void => {
    this.cleared.push(id)
  }

  fix(lat: number, lng: number, accuracy: number, timestamp = Date.now()): void {
    this.success?.({
      coords: { latitude: lat, longitude: lng, accuracy, altitude: null, altitudeAccuracy: null, heading: null, speed: null },
      timestamp,
    } as GeolocationPosition)
  }

  fail(code: 1 | 2 | 3): void {
    this.error?.({ code, message: 'fake', PERMISSION_DENIED: 1, POSITION_UNAVAILABLE: 2, TIMEOUT: 3 } as GeolocationPositionError)
  }
}

describe('locate: best fix within 20 s', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('asks for high accuracy and keeps the fix with the smallest accuracy until 20 s', async () => {
    const geo = new FakeGeolocation()
    const seen: number[] = []
    const result = locate(geo, { onFix: (f) => seen.push(f.accuracy_m) })
    expect(geo.options?.enableHighAccuracy).toBe(true)
    geo.fix(30.1, 120.1, 150)
    geo.fix(30.2, 120.2, 60)
    geo.fix(30.3, 120.3, 90) // worse: ignored
    geo.fix(30.4, 120.4, 35)
    await vi.advanceTimersByTimeAsync(19_999)
    expect(geo.cleared).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    const r = await result
    expect(r.failure).toBeNull()
    expect(r.fix).toMatchObject({ lat: 30.4, lng: 120.4, accuracy_m: 35 })
    expect(seen).toEqual([150, 60, 35])
    expect(geo.cleared).toEqual([7])
  })

  it('stops early at a fix of 20 m or better', async () => {
    const geo = new FakeGeolocation()
    const result = locate(geo)
    geo.fix(30, 120, 45)
    geo.fix(30.001, 120.001, 20)
    const r = await result
    expect(r.fix?.accuracy_m).toBe(20)
    expect(geo.cleared).toEqual([7])
    // Later fixes after the end change nothing.
    geo.fix(31, 121, 3)
    expect(r.fix?.lat).toBe(30.001)
  })

  it('answers denied at once, without a fix, when permission is refused', async () => {
    const geo = new FakeGeolocation()
    const result = locate(geo)
    geo.fail(1)
    expect(await result).toEqual({ fix: null, failure: 'denied' })
    expect(geo.cleared).toEqual([7])
  })

  it('keeps watching after a transient error and uses a later fix', async () => {
    const geo = new FakeGeolocation()
    const result = locate(geo)
    geo.fail(2)
    await vi.advanceTimersByTimeAsync(5_000)
    geo.fix(30, 120, 80)
    await vi.advanceTimersByTimeAsync(15_000)
    expect((await result).fix?.accuracy_m).toBe(80)
  })

  it('answers timeout when no fix came in 20 s, and unsupported without geolocation', async () => {
    const geo = new FakeGeolocation()
    const result = locate(geo)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(await result).toEqual({ fix: null, failure: 'timeout' })
    expect(await locate(undefined)).toEqual({ fix: null, failure: 'unsupported' })
  })

  it('stops on abort with the best fix so far ("use this location")', async () => {
    const geo = new FakeGeolocation()
    const abort = new AbortController()
    const result = locate(geo, { signal: abort.signal })
    geo.fix(30, 120, 120)
    geo.fix(30, 120, 70)
    abort.abort()
    expect((await result).fix?.accuracy_m).toBe(70)
    expect(geo.cleared).toEqual([7])
  })

  it('ignores fixes without a usable accuracy or coordinates', () => {
    expect(isBetter(null, { lat: 1, lng: 1, accuracy_m: Number.NaN, at: 0 })).toBe(false)
    expect(isBetter(null, { lat: Number.NaN, lng: 1, accuracy_m: 5, at: 0 })).toBe(false)
    expect(isBetter({ lat: 1, lng: 1, accuracy_m: 5, at: 0 }, { lat: 1, lng: 1, accuracy_m: 5, at: 1 })).toBe(false)
  })
})

describe('accuracy in plain words and the evidence object', () => {
  it('says good up to 30 m, fair up to the low-accuracy limit, poor beyond', () => {
    expect(accuracyLevel(12)).toBe('good')
    expect(accuracyLevel(30)).toBe('good')
    expect(accuracyLevel(35)).toBe('fair')
    expect(accuracyLevel(200)).toBe('fair')
    expect(accuracyLevel(201)).toBe('poor')
    expect(roundedMetres(34.6)).toBe(35)
    expect(roundedMetres(0.2)).toBe(1)
    expect(roundedMetres(347)).toBe(350)
  })

  it('keeps WGS-84 coordinates as given and sends nulls without a location', () => {
    const at = new Date('2026-11-25T12:30:00Z')
    expect(evidenceOf({ lat: 30.27469, lng: 120.15576, accuracy_m: 18.26, at: 0 }, at, ['p1'], ' v1.x.y ')).toEqual({
      occurred_at: '2026-11-25T12:30:00.000Z',
      lat: 30.27469,
      lng: 120.15576,
      accuracy_m: 18.3,
      photo_ids: ['p1'],
      qr_token: 'v1.x.y',
    })
    expect(evidenceOf(null, at)).toEqual({ occurred_at: '2026-11-25T12:30:00.000Z', lat: null, lng: null, accuracy_m: null, photo_ids: [] })
  })
})
