/**
 * Written notices (书面告知) of a petition: the list and the PDF as issued, for staff (by their
 * session) and for the petitioner (by tracking code and PIN), and the last PDF opened on this
 * device, kept in the Cache Storage so that it opens offline. Only routes of docs/openapi.yaml.
 */
import type { ApiClient } from './client'
import { API } from './client'
import { apiLanguage } from './language'
import type { PetitionCredentials } from './petitions'
import { apiError } from './problem'

export type NoticeKind = 'acceptance' | 'non_acceptance' | 'extension' | 'reply' | 'review' | 'rereview' | 'transfer'
export const noticeKinds: readonly NoticeKind[] = ['acceptance', 'non_acceptance', 'extension', 'reply', 'review', 'rereview', 'transfer']

export interface Notice {
  id: string
  kind: NoticeKind
  /** The Chinese title as issued, e.g. 受理告知书. */
  title: string
  /** e.g. XF20261125-0042-01; the file name of the download. */
  number: string
  issued_at: string
  sha256: string
  size: number
}

/** A notice's PDF, as the server keeps it. */
export interface NoticePdf {
  notice: Pick<Notice, 'id' | 'number' | 'title' | 'kind'>
  blob: Blob
  /** The SHA-256 the server gave (ETag), without quotes; '' when absent. */
  etag: string
}

const trackQuery = (cred: PetitionCredentials) => new URLSearchParams({ code: cred.tracking_code, pin: cred.pin }).toString()

async function publicGet(url: string, accept: string, fetchFn: typeof fetch): Promise<Response> {
  const res = await fetchFn(url, { headers: { Accept: accept, 'Accept-Language': apiLanguage() } })
  if (!res.ok) throw await apiError(res, Date.now())
  return res
}

/** The notices of the petition of a code and PIN, oldest first (a wrong PIN: 404 ApiError). */
export async function trackedNotices(cred: PetitionCredentials, fetchFn: typeof fetch = fetch): Promise<Notice[]> {
  const res = await publicGet(`${API}/petitions/track/notices?${trackQuery(cred)}`, 'application/json, application/problem+json', fetchFn)
  return ((await res.json()) as { items: Notice[] }).items
}

const etagOf = (res: Response) => (res.headers.get('ETag') ?? '').replace(/^W\//, '').replace(/"/g, '')

/** A notice's PDF by code and PIN. */
export async function trackedNoticePdf(cred: PetitionCredentials, notice: Notice, fetchFn: typeof fetch = fetch): Promise<NoticePdf> {
  const res = await publicGet(`${API}/petitions/track/notices/${encodeURIComponent(notice.id)}?${trackQuery(cred)}`, 'application/pdf, application/problem+json', fetchFn)
  return { notice, blob: await res.blob(), etag: etagOf(res) }
}

/** The notices of a petition as staff read them, oldest first. */
export const petitionNotices = async (c: Pick<ApiClient, 'requestJSON'>, petitionId: string): Promise<Notice[]> =>
  ((await c.requestJSON('GET', `${API}/petitions/${encodeURIComponent(petitionId)}/notices`)) as { items: Notice[] }).items

/** A notice's PDF with the staff's session (403 petitioner_masked for readers who see it masked). */
export async function noticePdf(c: Pick<ApiClient, 'request'>, notice: Notice): Promise<NoticePdf> {
  const res = await c.request('GET', `${API}/notices/${encodeURIComponent(notice.id)}`, { headers: { Accept: 'application/pdf, application/problem+json' } })
  if (!res.ok) throw await apiError(res, Date.now())
  return { notice, blob: await res.blob(), etag: etagOf(res) }
}

/** The SHA-256 of a blob in hex, or null where the browser has no WebCrypto (an insecure origin). */
export async function sha256Hex(blob: Blob): Promise<string | null> {
  if (typeof crypto === 'undefined' || !crypto.subtle) return null
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

// ---- The last PDF opened, kept for offline ------------------------------------------------------

const CACHE = 'minxin-notice-last'
const KEY = '/offline/notice/last.pdf'

/**
 * Keeps one PDF (the last opened) in the Cache Storage, with its number, title and kind in
 * headers; never the PIN. Answers false where there is no Cache Storage.
 */
export async function keepLastNotice(pdf: NoticePdf): Promise<boolean> {
  if (typeof caches === 'undefined') return false
  try {
    const cache = await caches.open(CACHE)
    await cache.put(
      KEY,
      new Response(pdf.blob, {
        headers: {
          'Content-Type': 'application/pdf',
          'X-Notice-Id': pdf.notice.id,
          'X-Notice-Number': pdf.notice.number,
          'X-Notice-Kind': pdf.notice.kind,
          'X-Notice-Title': encodeURIComponent(pdf.notice.title),
          'X-Notice-Etag': pdf.etag,
        },
      }),
    )
    return true
  } catch {
    return false
  }
}

/** The last PDF opened on this device, or null. */
export async function lastNotice(): Promise<NoticePdf | null> {
  if (typeof caches === 'undefined') return null
  try {
    const res = await (await caches.open(CACHE)).match(KEY)
    if (!res) return null
    const h = res.headers
    return {
      notice: {
        id: h.get('X-Notice-Id') ?? '',
        number: h.get('X-Notice-Number') ?? '',
        kind: (h.get('X-Notice-Kind') ?? 'acceptance') as NoticeKind,
        title: decodeURIComponent(h.get('X-Notice-Title') ?? ''),
      },
      blob: new Blob([await res.arrayBuffer()], { type: 'application/pdf' }),
      etag: h.get('X-Notice-Etag') ?? '',
    }
  } catch {
    return null
  }
}

/** Forgets the kept PDF (e.g. on a shared phone). */
export async function forgetLastNotice(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(CACHE).catch(() => false)
}
