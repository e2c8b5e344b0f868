/**
 * Named exclusive locks. In the browser they are Web Locks, shared by every tab and the
 * service worker of this origin, so only one context drains the outbox or rotates the
 * refresh token at a time. Where Web Locks are missing, the locks hold within this context.
 */
export type TryResult<T> = { ran: true; value: T } | { ran: false }

export interface Locks {
  /** Runs fn while holding the named lock, waiting for it when another holder has it. */
  run<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** Runs fn while holding the named lock if it is free now; otherwise does not run fn. */
  tryRun<T>(name: string, fn: () => Promise<T>): Promise<TryResult<T>>
}

export function localLocks(): Locks {
  const tails = new Map<string, Promise<void>>()
  async function run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(name) ?? Promise.resolve()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => held)
    tails.set(name, tail)
    await previous
    try {
      return await fn()
    } finally {
      release()
      if (tails.get(name) === tail) tails.delete(name)
    }
  }
  return {
    run,
    async tryRun<T>(name: string, fn: () => Promise<T>): Promise<TryResult<T>> {
      if (tails.has(name)) return { ran: false }
      return { ran: true, value: await run(name, fn) }
    },
  }
}

export function webLocks(manager: LockManager): Locks {
  // request() resolves with what the callback resolves with, once the lock is released.
  return {
    run: async <T>(name: string, fn: () => Promise<T>): Promise<T> => await manager.request(name, fn),
    tryRun: async <T>(name: string, fn: () => Promise<T>): Promise<TryResult<T>> =>
      await manager.request(name, { ifAvailable: true }, async (lock): Promise<TryResult<T>> =>
        lock ? { ran: true, value: await fn() } : { ran: false },
      ),
  }
}

/** Web Locks when this context has them, else locks local to this context. */
export function defaultLocks(): Locks {
  const manager = typeof navigator !== 'undefined' ? navigator.locks : undefined
  return manager ? webLocks(manager) : localLocks()
}
