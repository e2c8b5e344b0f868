/**
 * Location evidence for check-ins. The browser's Geolocation API gives WGS-84 coordinates
 * and a 95 % accuracy radius in metres; they are stored as given (no map services, no
 * conversion to GCJ-02). A weak or missing fix never blocks a check-in: the server flags it.
 */

/** One position fix as a check-in records it. */
export interface Fix {
  lat: number
  lng: number
  /** The 95 % radius, in metres. */
  accuracy_m: number
  /** When the browser took the fix (ms since the epoch). */
  at: number
}

/** Why no usable fix came. */
export type LocateFailure = 'unsupported' | 'denied' | 'unavailable' | 'timeout' | 'stopped'

export interface LocateResult {
  /** The best fix received, or null. */
  fix: Fix | null
  /** Set when no fix came, or when the wait ended on an error. */
  failure: LocateFailure | null
}

/** The part of the Geolocation API this module uses; tests pass a fake. */
export type GeolocationLike = Pick<Geolocation, 'watchPosition' | 'clearWatch'>

export interface LocateOptions {
  /** How long to keep watching for a better fix; 20 s by default. */
  maxWaitMs?: number
  /** Stop as soon as a fix is at least this accurate; 20 m by default. */
  goodEnoughM?: number
  /** Called with every fix that improves on the best so far. */
  onFix?: (fix: Fix) => void
  /** Aborting stops the wait and answers the best fix so far ("use this one"). */
  signal?: AbortSignal
}

export const DEFAULT_MAX_WAIT_MS = 20_000
export const DEFAULT_GOOD_ENOUGH_M = 20

/** Whether a fix is better than the best so far: a smaller accuracy radius wins. */
export function isBetter(best: Fix | null, candidate: Fix): boolean {
  if (!Number.isFinite(candidate.accuracy_m) || candidate.accuracy_m < 0) return false
  if (!Number.isFinite(candidate.lat) || !Number.isFinite(candidate.lng)) return false
  return best === null || candidate.accuracy_m < best.accuracy_m
}

function fixOf(position: GeolocationPosition): Fix {
  return {
    lat: position.coords.latitude,
    lng: position.coords.longitude,
    accuracy_m: position.coords.accuracy,
    at: position.timestamp,
  }
}

// GeolocationPositionError codes.
const PERMISSION_DENIED = 1
const TIMEOUT = 3

/**
 * Watches the position with high accuracy for up to maxWaitMs, keeping the fix with the
 * smallest accuracy radius, and stops early once one is within goodEnoughM. Never rejects:
 * without a fix it answers why (denied, unavailable, timeout, unsupported).
 */
export function locate(geolocation: GeolocationLike | undefined | null, options: LocateOptions = {}): Promise<LocateResult> {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS
  const goodEnoughM = options.goodEnoughM ?? DEFAULT_GOOD_ENOUGH_M
  if (!geolocation) return Promise.resolve({ fix: null, failure: 'unsupported' })
  if (options.signal?.aborted) return Promise.resolve({ fix: null, failure: 'stopped' })

  return new Promise((resolve) => {
    let best: Fix | null = null
    let lastError: LocateFailure | null = null
    let done = false
    let watchId: number | null = null

    const finish = (reason: LocateFailure | null) => {
      if (done) return
      done = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (watchId !== null) geolocation.clearWatch(watchId)
      resolve({ fix: best, failure: best ? null : (reason ?? lastError ?? 'timeout') })
    }
    const onAbort = () => finish('stopped')
    const timer = setTimeout(() => finish(lastError ?? 'timeout'), maxWaitMs)
    options.signal?.addEventListener('abort', onAbort)

    watchId = geolocation.watchPosition(
      (position) => {
        if (done) return
        const fix = fixOf(position)
        if (!isBetter(best, fix)) return
        best = fix
        options.onFix?.(fix)
        if (fix.accuracy_m <= goodEnoughM) finish(null)
      },
      (error) => {
        if (done) return
        if (error.code === PERMISSION_DENIED) {
          lastError = 'denied'
          finish('denied')
        } else {
          // Unavailable or a per-attempt timeout: the watch goes on until maxWaitMs.
          lastError = error.code === TIMEOUT ? 'timeout' : 'unavailable'
        }
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: maxWaitMs },
    )
    // A fake or a synchronous implementation may have finished before the id was known.
    if (done && watchId !== null) geolocation.clearWatch(watchId)
  })
}

export type AccuracyLevel = 'good' | 'fair' | 'poor'

/**
 * Accuracy in plain words: good (很准) up to 30 m; fair (一般) up to the server's low-accuracy
 * limit (200 m by default), where the check-in still counts; poor (偏差较大) beyond it.
 */
export function accuracyLevel(accuracyM: number, lowAccuracyM = 200): AccuracyLevel {
  if (accuracyM <= 30) return 'good'
  if (accuracyM <= lowAccuracyM) return 'fair'
  return 'poor'
}

/** The radius rounded for people: to 1 m under 100 m, to 10 m above. */
export function roundedMetres(accuracyM: number): number {
  return accuracyM < 100 ? Math.max(1, Math.round(accuracyM)) : Math.round(accuracyM / 10) * 10
}

/** The evidence object of a field record (§2), as the API takes it. */
export interface Evidence {
  occurred_at: string
  lat: number | null
  lng: number | null
  accuracy_m: number | null
  photo_ids: string[]
  qr_token?: string
}

/**
 * Builds a check-in's evidence: the moment it happened (phone clock), the fix if there is one
 * (else no location, which the server flags), photo ids or placeholders, and a QR token.
 */
export function evidenceOf(fix: Fix | null, occurredAt: Date, photoIds: string[] = [], qrToken?: string): Evidence {
  const e: Evidence = {
    occurred_at: occurredAt.toISOString(),
    lat: fix ? fix.lat : null,
    lng: fix ? fix.lng : null,
    accuracy_m: fix ? Math.round(fix.accuracy_m * 10) / 10 : null,
    photo_ids: photoIds,
  }
  const token = qrToken?.trim()
  if (token) e.qr_token = token
  return e
}
