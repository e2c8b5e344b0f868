/** An RFC 9457 problem answer, as the Minxin API sends it (application/problem+json). */
export interface FieldError {
  field: string
  message: string
}

export interface Problem {
  status: number
  title: string
  detail: string
  code: string
  errors: FieldError[]
}

/** A non-2xx answer from the API. retryAfterMs is set when the answer carried Retry-After. */
export class ApiError extends Error {
  constructor(
    readonly problem: Problem,
    readonly retryAfterMs: number | null,
  ) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`)
    this.name = 'ApiError'
  }

  get status(): number {
    return this.problem.status
  }
}

/** No usable session: nobody is signed in, or the server refused the refresh token. */
export class AuthRequiredError extends Error {
  constructor() {
    super('authentication required')
    this.name = 'AuthRequiredError'
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return []
  return value
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({ field: text(e.field), message: text(e.message) }))
}

/** Reads the problem in an error answer; answers that are not JSON keep their status line. */
export async function problemFrom(res: Response): Promise<Problem> {
  const fallback: Problem = { status: res.status, title: res.statusText, detail: '', code: '', errors: [] }
  if (!(res.headers.get('Content-Type') ?? '').includes('json')) return fallback
  let body: unknown
  try {
    body = await res.json()
  } catch {
    return fallback
  }
  if (typeof body !== 'object' || body === null) return fallback
  const p = body as Record<string, unknown>
  return {
    status: typeof p.status === 'number' ? p.status : res.status,
    title: text(p.title) || res.statusText,
    detail: text(p.detail),
    code: text(p.code),
    errors: fieldErrors(p.errors),
  }
}

/** Retry-After as milliseconds from now: either delay-seconds or an HTTP date. */
export function retryAfterMs(res: Response, now: number): number | null {
  const value = res.headers.get('Retry-After')
  if (value === null || value.trim() === '') return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

export async function apiError(res: Response, now: number): Promise<ApiError> {
  return new ApiError(await problemFrom(res), retryAfterMs(res, now))
}
