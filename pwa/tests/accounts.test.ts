import { describe, expect, it } from 'vitest'
import { activityQuery, changedFields } from '../src/api/accounts'
import { sameDraws, type AuditDraw } from '../src/api/audits'
import { ApiError } from '../src/api/problem'
import { parseUser } from '../src/api/session'
import { verdict } from '../src/outbox/policy'
import { passwordChangeFirst } from '../src/routes-accounts'
import { json, official, problem, rig, tokens } from './helpers'

describe('accounts: a reset password', () => {
  it('is read from the user only when it must be changed', () => {
    expect(parseUser({ ...official, must_change_password: true }).must_change_password).toBe(true)
    expect('must_change_password' in parseUser({ ...official, must_change_password: false })).toBe(false)
  })

  it('sends every signed-in page to the change, and no other', () => {
    const pending = { ...official, must_change_password: true as const }
    expect(passwordChangeFirst({ name: 'home', meta: { auth: true } }, pending)).toEqual({ name: 'account-password' })
    expect(passwordChangeFirst({ name: 'account-password', meta: { auth: true } }, pending)).toBeNull()
    expect(passwordChangeFirst({ name: 'track', meta: {} }, pending)).toBeNull()
    expect(passwordChangeFirst({ name: 'home', meta: { auth: true } }, official)).toBeNull()
    expect(passwordChangeFirst({ name: 'home', meta: { auth: true } }, null)).toBeNull()
  })

  it('keeps the outbox waiting rather than refusing its items', () => {
    expect(verdict(403, 'password_change_required')).toBe('retry')
    expect(verdict(403, 'forbidden')).toBe('refused')
  })
})

describe('accounts: changing one’s password', () => {
  it('sends the old and new password and keeps the new login the server answers', async () => {
    const { client, store, server } = await rig({ handler: () => tokens(2) })
    const s = await client.changePassword('old-password-1', 'new-password-2')
    expect(server.calls[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/auth/password',
      json: { old_password: 'old-password-1', new_password: 'new-password-2' },
    })
    expect(server.calls[0].headers.Authorization).toBe('Bearer access-1')
    expect(s.refresh_token).toBe('refresh-2')
    expect((await store.get())?.access_token).toBe('access-2')
  })

  it('throws the server’s field errors and keeps the session', async () => {
    const { client, store } = await rig({
      handler: () => problem(422, 'invalid_field', 'some fields are invalid', { errors: [{ field: 'old_password', message: 'is not your current password' }] }),
    })
    const err = await client.changePassword('wrong', 'new-password-2').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).problem.errors[0].field).toBe('old_password')
    expect((await store.get())?.access_token).toBe('access-1')
  })

  it('answers json the way the server does', async () => {
    const { client } = await rig({ handler: () => json(200, { nonsense: true }) })
    await expect(client.changePassword('a', 'b')).rejects.toThrow()
  })
})

describe('activity log', () => {
  it('asks for the filters that are set, the page size and the cursor', () => {
    expect(activityQuery({ actor: 'system', entity: '', action: ' reissue_pin ', from: '2026-11-01' }, '42', 30)).toBe(
      'actor=system&action=reissue_pin&from=2026-11-01&limit=30&cursor=42',
    )
    expect(activityQuery({}, null)).toBe('limit=30')
  })

  it('lists what changed, in a stable order', () => {
    expect(changedFields({ before: { state: 'submitted', category: 'land' }, after: { state: 'accepted', category: 'land' } })).toEqual([
      { key: 'state', before: 'submitted', after: 'accepted' },
    ])
    expect(changedFields({ before: null, after: { b: 1, a: 'x' } })).toEqual([
      { key: 'a', before: null, after: 'x' },
      { key: 'b', before: null, after: '1' },
    ])
    expect(changedFields({ before: null, after: null })).toEqual([])
  })
})

describe('a round’s verification', () => {
  const draw = (n: number, ticket = `0.${n}`): AuditDraw => ({ record_id: `visit:${n}`, township_id: 't', official_id: 'o', ticket })
  it('matches only the same draws in the same order with the same tickets', () => {
    expect(sameDraws([draw(1), draw(2)], [draw(1), draw(2)])).toBe(true)
    expect(sameDraws([draw(1), draw(2)], [draw(2), draw(1)])).toBe(false)
    expect(sameDraws([draw(1)], [draw(1), draw(2)])).toBe(false)
    expect(sameDraws([draw(1)], [draw(1, '0.9')])).toBe(false)
  })
})
