/**
 * What the casework screens decide without the server: which actions a reader may take on a
 * petition in its state, the deadline each action sets (to say so before asking), and the days
 * left to a deadline. The server decides in the end (rules/petition): a refused action shows
 * its reason.
 */
import type { CaseAction, CasePetition, PetitionParams } from '../../api/casework'
import type { User } from '../../api/session'
import { addDays } from '../official/today'
import { nextDeadline } from '../office/office'

export { nextDeadline }

/** Days from one date to another (YYYY-MM-DD, calendar days): negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)
  return Math.round(ms / 86_400_000)
}

/**
 * The next deadline and how it stands on `today`: days left (0 on the day itself, which is
 * still on time to its end), or the days it is past.
 */
export function deadlineStatus(p: Pick<CasePetition, 'state' | 'deadlines'>, today: string): { date: string; daysLeft: number } | null {
  const date = nextDeadline(p)
  return date ? { date, daysLeft: daysBetween(today, date) } : null
}

export const isOffice = (u: Pick<User, 'role'>): boolean => u.role === 'admin' || u.role === 'petition_officer'

/** The open states, from which a petitioner may withdraw. */
export const openStates = new Set(['submitted', 'accepted', 'assigned', 'replied', 'review_requested', 'reviewed', 'rereview_requested'])

/**
 * The actions this reader may take now, in the order the screen offers them. The petition
 * office (and admins): accept or refuse a new petition; assign, extend (once, while the reply
 * deadline has not passed) and reply while it is accepted; reassign and extend while it is
 * assigned; the review and re-review opinions; withdraw at the petitioner's request. The
 * handler: reply to a petition assigned to them.
 */
export function actionsFor(p: Pick<CasePetition, 'state' | 'handler_id' | 'extension_days' | 'deadlines'>, u: Pick<User, 'id' | 'role'>, today: string): CaseAction[] {
  const out: CaseAction[] = []
  const extendable = p.extension_days === 0 && !!p.deadlines.reply_by && p.deadlines.reply_by >= today
  if (isOffice(u)) {
    switch (p.state) {
      case 'submitted':
        out.push('accept', 'reject')
        break
      case 'accepted':
        out.push('assign', 'reply')
        if (extendable) out.push('extend')
        break
      case 'assigned':
        if (p.handler_id === u.id) out.push('reply')
        out.push('assign')
        if (extendable) out.push('extend')
        break
      case 'review_requested':
        out.push('review')
        break
      case 'rereview_requested':
        out.push('rereview')
        break
    }
    if (openStates.has(p.state)) out.push('withdraw')
  } else if (p.state === 'assigned' && p.handler_id === u.id) {
    out.push('reply')
  }
  return out
}

/** What an action does to the petition's deadlines, for the confirmation. */
export type DeadlineEffect =
  | { kind: 'sets'; key: 'reply_by' | 'review_request_by' | 'rereview_request_by'; date: string; days: number }
  | { kind: 'moves'; key: 'reply_by'; from: string; date: string; days: number }
  | { kind: 'keeps'; key: 'reply_by'; date: string }
  | { kind: 'ends' }

/**
 * The deadline an action sets, as the rules derive it (calendar days from the day of the
 * action, or from the reply deadline for an extension), with the settings of the day the
 * petition was received.
 */
export function deadlineEffect(
  action: CaseAction,
  p: Pick<CasePetition, 'deadlines'>,
  params: PetitionParams,
  today: string,
  extensionDays = 0,
): DeadlineEffect | null {
  switch (action) {
    case 'accept':
      return { kind: 'sets', key: 'reply_by', date: addDays(today, params.reply_days), days: params.reply_days }
    case 'assign':
      return p.deadlines.reply_by ? { kind: 'keeps', key: 'reply_by', date: p.deadlines.reply_by } : null
    case 'extend':
      if (!p.deadlines.reply_by || extensionDays < 1) return null
      return { kind: 'moves', key: 'reply_by', from: p.deadlines.reply_by, date: addDays(p.deadlines.reply_by, extensionDays), days: extensionDays }
    case 'reply':
      return { kind: 'sets', key: 'review_request_by', date: addDays(today, params.review_request_days), days: params.review_request_days }
    case 'review':
      return { kind: 'sets', key: 'rereview_request_by', date: addDays(today, params.rereview_request_days), days: params.rereview_request_days }
    case 'reject':
    case 'rereview':
    case 'withdraw':
      return { kind: 'ends' }
  }
}

/** The fields each action's form has, in order (the server names the same ones when it refuses). */
export const actionFields: Record<CaseAction, readonly string[]> = {
  accept: ['note'],
  reject: ['reason', 'guidance'],
  assign: ['handler_id'],
  extend: ['days', 'reason'],
  reply: ['text'],
  review: ['opinion'],
  rereview: ['opinion'],
  withdraw: ['pin', 'reason'],
}

/** The fields a form must have filled in before it is sent. */
export function missingFields(action: CaseAction, form: Record<string, string>): string[] {
  const optional = new Set(['note'])
  return actionFields[action].filter((f) => !optional.has(f) && (form[f] ?? '').trim() === '')
}
