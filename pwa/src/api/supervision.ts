/**
 * Transfer (转送) and supervision (督办) of petitions: the destinations a petition may go to,
 * the transfer itself, the district office's list of petitions to supervise, its instructions
 * and the township's answers. Only routes of docs/openapi.yaml.
 */
import type { ApiClient } from './client'
import { API } from './client'

type Reader = Pick<ApiClient, 'requestJSON'>

/** A supervision instruction (督办) and its answer. */
export interface Supervision {
  id: string
  petition_id: string
  note: string
  act_by: string
  issued_by: string
  issued_at: string
  answer: string | null
  answered_by: string | null
  answered_at: string | null
  answered_on_time: boolean | null
  /** Unanswered after the end of act_by. */
  late: boolean
}

export interface SupervisionItem {
  petition_id: string
  township_id: string
  tracking_code: string
  state: string
  step: 'accept' | 'reply' | 'review' | 'rereview'
  next_deadline: string
  /** 0 on the last day, negative once overdue. */
  days_left: number
  overdue: boolean
  open_instructions: number
}

export type TransferTo = { to_township_id: string } | { to_agency: string }

export const transferPetition = (c: Reader, id: string, to: TransferTo, reason: string) =>
  c.requestJSON('POST', `${API}/petitions/${encodeURIComponent(id)}/transfer`, { json: { ...to, reason } }) as Promise<{ id: string; state: string; township_id: string }>

/** The outside bodies of the setting petition.agencies in force today. */
export async function readAgencies(c: Reader): Promise<string[]> {
  const answer = (await c.requestJSON('GET', `${API}/settings`)) as { values?: Record<string, unknown> }
  const v = answer.values?.['petition.agencies']
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

export const supervisionList = async (c: Reader): Promise<SupervisionItem[]> =>
  ((await c.requestJSON('GET', `${API}/petitions/supervision`)) as { items: SupervisionItem[] }).items

export const supervise = (c: Reader, id: string, note: string, actBy: string) =>
  c.requestJSON('POST', `${API}/petitions/${encodeURIComponent(id)}/supervise`, { json: { note, act_by: actBy } }) as Promise<Supervision>

export const answerSupervision = async (c: Reader, id: string, text: string): Promise<Supervision[]> =>
  ((await c.requestJSON('POST', `${API}/petitions/${encodeURIComponent(id)}/supervision-answer`, { json: { text } })) as { items: Supervision[] }).items

/** The district petition office: admins and petition officers without a township. */
export const isDistrictOffice = (u: { role: string; township_id: string | null }): boolean =>
  u.role === 'admin' || (u.role === 'petition_officer' && !u.township_id)

/** Who answers a petition's instructions: its township's petition officers and its handler. */
export const answersSupervision = (u: { id: string; role: string; township_id: string | null }, p: { township_id: string; handler_id: string | null }): boolean =>
  (u.role === 'petition_officer' && u.township_id === p.township_id) || p.handler_id === u.id

/** The instructions not answered yet, first; then the answered ones, newest first. */
export function openFirst(items: Supervision[]): Supervision[] {
  const open = items.filter((s) => s.answer === null)
  const answered = items.filter((s) => s.answer !== null).reverse()
  return [...open, ...answered]
}
