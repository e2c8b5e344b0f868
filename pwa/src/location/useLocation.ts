import { onBeforeUnmount, ref, type Ref } from 'vue'
import { locate, type Fix, type GeolocationLike, type LocateFailure } from './geo'

export interface LocationState {
  /** Watching the position now. */
  locating: Ref<boolean>
  /** The best fix so far. */
  fix: Ref<Fix | null>
  failure: Ref<LocateFailure | null>
  /** Starts (or restarts) watching; resolves with the best fix once the wait ends. */
  start(): Promise<Fix | null>
  /** Ends the wait now, keeping the best fix so far. */
  stop(): void
}

function browserGeolocation(): GeolocationLike | undefined {
  return typeof navigator !== 'undefined' && 'geolocation' in navigator ? navigator.geolocation : undefined
}

/** A page's location for a check-in; the watch stops when the page goes away. */
export function useLocation(geolocation: GeolocationLike | undefined = browserGeolocation()): LocationState {
  const locating = ref(false)
  const fix = ref<Fix | null>(null)
  const failure = ref<LocateFailure | null>(null)
  let abort: AbortController | null = null

  async function start(): Promise<Fix | null> {
    abort?.abort()
    const mine = new AbortController()
    abort = mine
    locating.value = true
    failure.value = null
    fix.value = null
    const result = await locate(geolocation, {
      signal: mine.signal,
      onFix: (f) => {
        if (abort === mine) fix.value = f
      },
    })
    if (abort === mine) {
      locating.value = false
      fix.value = result.fix
      failure.value = result.failure
      abort = null
    }
    return result.fix
  }

  function stop(): void {
    abort?.abort()
  }

  onBeforeUnmount(stop)
  return { locating, fix, failure, start, stop }
}
