/**
 * One way to do something that cannot be taken back — delete a record, discard a queued one,
 * refuse or withdraw a petition: ask in plain words, then do it, then say how it went in a
 * toast, with the server's own message when it refused.
 */
import { ApiError, AuthRequiredError } from './api/problem'

export interface ConfirmedAction {
  /** The dialog's title (optional) and its question, in plain words. */
  title?: string
  message: string
  /** The confirming button's text, e.g. 删除. */
  confirm: string
  /** Shown in red: the default, since such a step cannot be undone. */
  danger?: boolean
  /** The call. What it throws is shown as the failure. */
  run: () => Promise<unknown>
  /** The toast after the call succeeded. */
  done: string
  /** Also told of a failure, e.g. to show the reason beside the form: the text and the error. */
  failed?: (message: string, err: unknown) => void
}

/** What the helper shows; Vant's dialog and toast in the app, fakes in the tests. */
export interface ConfirmUi {
  confirm(options: { title?: string; message: string; confirm: string; cancel: string; danger: boolean }): Promise<boolean>
  toast(kind: 'success' | 'fail', message: string): void
}

/** Words the helper needs that the action does not bring. */
export interface ConfirmText {
  cancel: string
  network: string
  session: string
}

/**
 * A failure in words: the server's own message (its detail or title, then the message of each
 * field it named); a lost session or a missing network as such.
 */
export function failureText(err: unknown, text: Pick<ConfirmText, 'network' | 'session'>): string {
  if (err instanceof ApiError) {
    const fields = err.problem.errors.map((e) => e.message).filter((m) => m && m !== err.message)
    return [err.message, ...fields].join('：')
  }
  if (err instanceof AuthRequiredError) return text.session
  // fetch's TypeError, the client's TimeoutError: the request did not get an answer.
  if (err instanceof Error) return text.network
  return String(err)
}

/**
 * Asks, runs and tells. Answers 'cancelled' (nothing was called), 'done' or 'failed' (the
 * failure has been shown).
 */
export async function runConfirmed(action: ConfirmedAction, ui: ConfirmUi, text: ConfirmText): Promise<'cancelled' | 'done' | 'failed'> {
  const ok = await ui.confirm({ title: action.title, message: action.message, confirm: action.confirm, cancel: text.cancel, danger: action.danger ?? true })
  if (!ok) return 'cancelled'
  try {
    await action.run()
  } catch (err) {
    const message = failureText(err, text)
    ui.toast('fail', message)
    action.failed?.(message, err)
    return 'failed'
  }
  ui.toast('success', action.done)
  return 'done'
}
