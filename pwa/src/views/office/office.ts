import type { Petition } from '../../api/duties'

/** The next deadline of a petition in its current state. */
export function nextDeadline(p: Pick<Petition, 'state' | 'deadlines'>): string | null {
  const d = p.deadlines
  switch (p.state) {
    case 'submitted':
      return d.accept_by ?? null
    case 'accepted':
    case 'assigned':
      return d.reply_by ?? null
    case 'replied':
      return d.review_request_by ?? null
    case 'review_requested':
      return d.review_by ?? null
    case 'reviewed':
      return d.rereview_request_by ?? null
    case 'rereview_requested':
      return d.rereview_by ?? null
    default:
      return null
  }
}

/** The queue: overdue petitions first, then the rest, each by nearest deadline; no duplicates. */
export function petitionQueue<P extends Petition>(overdue: readonly P[], rest: readonly P[]): P[] {
  const seen = new Set<string>()
  const by = (a: P, b: P) => (nextDeadline(a) ?? '9999').localeCompare(nextDeadline(b) ?? '9999')
  const out: P[] = []
  for (const p of [...[...overdue].sort(by), ...[...rest].sort(by)]) {
    if (seen.has(p.id)) continue
    seen.add(p.id)
    out.push(p)
  }
  return out
}

/** States in which the office has something to do. */
export const activeStates = new Set(['submitted', 'accepted', 'assigned', 'review_requested', 'rereview_requested'])
