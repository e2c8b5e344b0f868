import { describe, expect, it } from 'vitest'
import { ApiError, AuthRequiredError } from '../src/api/problem'
import { failureText, runConfirmed, type ConfirmUi } from '../src/confirmed'

const text = { cancel: '取消', network: '连不上服务器', session: '登录已过期' }

function fakeUi(answer: boolean) {
  const asked: Parameters<ConfirmUi['confirm']>[0][] = []
  const toasts: [string, string][] = []
  const ui: ConfirmUi = {
    confirm: async (o) => {
      asked.push(o)
      return answer
    },
    toast: (kind, message) => void toasts.push([kind, message]),
  }
  return { ui, asked, toasts }
}

const refused = new ApiError(
  { status: 409, title: 'Conflict', detail: '这条请假已被使用', code: 'conflict', errors: [{ field: 'id', message: '已有排班' }] },
  null,
)

describe('runConfirmed', () => {
  it('asks first and calls nothing when the user says no', async () => {
    const { ui, asked, toasts } = fakeUi(false)
    let called = 0
    const result = await runConfirmed({ message: '删除这条请假记录？', confirm: '删除', done: '已删除', run: async () => void called++ }, ui, text)
    expect(result).toBe('cancelled')
    expect(called).toBe(0)
    expect(toasts).toEqual([])
    expect(asked).toEqual([{ title: undefined, message: '删除这条请假记录？', confirm: '删除', cancel: '取消', danger: true }])
  })

  it('calls once confirmed and says it is done', async () => {
    const { ui, asked, toasts } = fakeUi(true)
    let called = 0
    const result = await runConfirmed({ message: 'm', confirm: '恢复', danger: false, done: '已删除', run: async () => void called++ }, ui, text)
    expect(result).toBe('done')
    expect(called).toBe(1)
    expect(asked[0].danger).toBe(false)
    expect(toasts).toEqual([['success', '已删除']])
  })

  it('shows the server’s reason when it refuses, and no success', async () => {
    const { ui, toasts } = fakeUi(true)
    const told: [string, unknown][] = []
    const result = await runConfirmed(
      { message: 'm', confirm: '删除', done: '已删除', run: () => Promise.reject(refused), failed: (m, e) => void told.push([m, e]) },
      ui,
      text,
    )
    expect(result).toBe('failed')
    expect(toasts).toEqual([['fail', '这条请假已被使用：已有排班']])
    expect(told).toEqual([['这条请假已被使用：已有排班', refused]])
  })
})

describe('failureText', () => {
  it('names a missing network and a lost session as such', () => {
    expect(failureText(new TypeError('Failed to fetch'), text)).toBe('连不上服务器')
    expect(failureText(new AuthRequiredError(), text)).toBe('登录已过期')
    expect(failureText('odd', text)).toBe('odd')
  })

  it('uses the problem’s title when it has no detail', () => {
    expect(failureText(new ApiError({ status: 404, title: 'Not Found', detail: '', code: 'not_found', errors: [] }, null), text)).toBe('Not Found')
  })
})
