import { describe, expect, it, vi } from 'vitest'
import { localLocks } from '../src/locks'
import { containsPlaceholder, placeholderFor, resolvePlaceholder } from '../src/outbox/placeholders'
import { backoffDelay, verdict } from '../src/outbox/policy'
import { safeRedirect } from '../src/redirect'
import { uuid } from '../src/uuid'
import { waitText } from '../src/format'

describe('verdict on an answer', () => {
  it.each([
    [200, '', 'done'],
    [201, '', 'done'],
    [204, '', 'done'],
    [401, '', 'auth'],
    [404, 'stay_not_found', 'retry'],
    [404, 'parent_not_found', 'retry'],
    [404, 'not_found', 'refused'],
    [408, '', 'retry'],
    [409, 'conflict', 'refused'],
    [413, '', 'refused'],
    [422, 'invalid', 'refused'],
    [425, '', 'retry'],
    [429, '', 'retry'],
    [400, '', 'refused'],
    [403, '', 'refused'],
    [500, '', 'retry'],
    [503, '', 'retry'],
  ])('%i %s → %s', (status, code, expected) => {
    expect(verdict(status, code)).toBe(expected)
  })
})

describe('backoff', () => {
  const policy = { baseMs: 1000, capMs: 10_000 }
  it('doubles the ceiling per attempt up to the cap', () => {
    const top = () => 0.9999999
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, top))).toEqual([999, 1999, 3999, 7999, 9999, 9999])
  })
  it('scales the ceiling by the random draw (full jitter)', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0)
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2000)
  })
})

describe('attachment placeholders', () => {
  const p = placeholderFor('u1')
  const body = { id: 'r', checkin: { photo_ids: ['a', p], cover: p }, notes: 'local-attachment:u1 in text stays' }

  it('finds placeholders anywhere in a body, but only whole values', () => {
    expect(containsPlaceholder(body, p)).toBe(true)
    expect(containsPlaceholder(body, placeholderFor('u2'))).toBe(false)
    expect(containsPlaceholder({ notes: `see ${p}` }, p)).toBe(false)
  })

  it('replaces them with the server id', () => {
    expect(resolvePlaceholder(body, p, 'srv')).toEqual({
      id: 'r',
      checkin: { photo_ids: ['a', 'srv'], cover: 'srv' },
      notes: 'local-attachment:u1 in text stays',
    })
    expect(body.checkin.photo_ids).toEqual(['a', p])
  })

  it('removes them when the upload was discarded', () => {
    expect(resolvePlaceholder(body, p, null)).toEqual({
      id: 'r',
      checkin: { photo_ids: ['a'], cover: null },
      notes: 'local-attachment:u1 in text stays',
    })
  })
})

describe('local locks', () => {
  it('run holders one after another and let tryRun skip a held lock', async () => {
    const locks = localLocks()
    const order: string[] = []
    let release!: () => void
    const first = locks.run('x', () => new Promise<void>((r) => (release = r)).then(() => void order.push('first')))
    const second = locks.run('x', async () => void order.push('second'))
    expect(await locks.tryRun('x', async () => 'ran')).toEqual({ ran: false })
    expect(await locks.tryRun('y', async () => 'ran')).toEqual({ ran: true, value: 'ran' })
    release()
    await Promise.all([first, second])
    expect(order).toEqual(['first', 'second'])
    expect(await locks.tryRun('x', async () => 'ran')).toEqual({ ran: true, value: 'ran' })
  })

  it('releases the lock when the holder fails', async () => {
    const locks = localLocks()
    await expect(locks.run('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await locks.tryRun('x', async () => 1)).toEqual({ ran: true, value: 1 })
  })
})

describe('small helpers', () => {
  it('makes version 4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 50 }, uuid))
    expect(ids.size).toBe(50)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('makes version 4 UUIDs where crypto.randomUUID is missing (plain HTTP, old browsers)', () => {
    const real = globalThis.crypto
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => real.getRandomValues(a) })
    try {
      expect(typeof crypto.randomUUID).toBe('undefined')
      const ids = new Set(Array.from({ length: 50 }, uuid))
      expect(ids.size).toBe(50)
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('redirects after login only to paths on this site', () => {
    expect(safeRedirect('/outbox')).toBe('/outbox')
    expect(safeRedirect('//evil.example/x')).toBe('/home')
    expect(safeRedirect('https://evil.example')).toBe('/home')
    expect(safeRedirect(undefined)).toBe('/home')
  })
})

describe('wait text', () => {
  const t = (key: string, named: Record<string, unknown>) => `${key}:${String(named.n)}`
  it('counts seconds under two minutes and whole minutes above, rounding up', () => {
    expect(waitText(t, 1)).toBe('wait.seconds:1')
    expect(waitText(t, 75_000)).toBe('wait.seconds:75')
    expect(waitText(t, 120_000)).toBe('wait.minutes:2')
    expect(waitText(t, 121_000)).toBe('wait.minutes:3')
  })
})
