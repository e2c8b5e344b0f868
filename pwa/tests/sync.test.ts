import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startOutboxSync } from '../src/outbox/sync'
import type { DrainResult, OutboxChange } from '../src/outbox/types'

class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible'
}

function fakeOutbox(results: DrainResult[]) {
  const calls: { force?: boolean }[] = []
  const listeners = new Set<(c: OutboxChange) => void>()
  return {
    calls,
    emit: (change: OutboxChange) => listeners.forEach((l) => l(change)),
    drain: (options: { force?: boolean } = {}) => {
      calls.push(options)
      return Promise.resolve(results.shift() ?? { state: 'idle' as const, sent: 0 })
    },
    subscribe: (listener: (c: OutboxChange) => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

describe('outbox sync triggers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('drains on start, when back online (forced), when visible again, after queueing or discarding, and on a timer', async () => {
    const win = new EventTarget()
    const doc = new FakeDocument()
    const outbox = fakeOutbox([])
    const stop = startOutboxSync(outbox, { window: win, document: doc, intervalMs: 30_000 })
    expect(outbox.calls).toEqual([{ force: false }])

    win.dispatchEvent(new Event('online'))
    expect(outbox.calls.at(-1)).toEqual({ force: true })

    doc.visibilityState = 'hidden'
    doc.dispatchEvent(new Event('visibilitychange'))
    expect(outbox.calls).toHaveLength(2)
    doc.visibilityState = 'visible'
    doc.dispatchEvent(new Event('visibilitychange'))
    expect(outbox.calls).toHaveLength(3)

    outbox.emit({ reason: 'enqueued', count: 1 })
    expect(outbox.calls).toHaveLength(4)
    outbox.emit({ reason: 'sent', count: 0 })
    expect(outbox.calls).toHaveLength(4)
    outbox.emit({ reason: 'discarded', count: 0 })
    expect(outbox.calls).toHaveLength(5)

    await vi.advanceTimersByTimeAsync(30_000)
    expect(outbox.calls).toHaveLength(6)

    stop()
    win.dispatchEvent(new Event('online'))
    await vi.advanceTimersByTimeAsync(60_000)
    expect(outbox.calls).toHaveLength(6)
  })

  it('wakes up when the head item’s backoff ends and asks for a background sync', async () => {
    const outbox = fakeOutbox([{ state: 'waiting', sent: 0, next_attempt_at: 5_000 }])
    const backgroundSync = vi.fn(() => Promise.resolve())
    startOutboxSync(outbox, { window: new EventTarget(), document: new FakeDocument(), intervalMs: 600_000, backgroundSync })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(outbox.calls).toHaveLength(1)
    expect(backgroundSync).toHaveBeenCalledOnce()
    await vi.advanceTimersByTimeAsync(1)
    expect(outbox.calls).toHaveLength(2)
  })
})
