/**
 * The last district view fetched for each period, kept in IndexedDB (a database of its own,
 * `minxin-dashboard`) per user, so that the dashboard stays readable without signal: it
 * shows the saved figures with the time they were fetched. A user's dozen most recently
 * fetched periods are kept; older ones are dropped.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { isOffline } from '../../api/duties'
import type { DistrictScorecard } from './district'

export interface SavedView {
  /** owner|from|to */
  key: string
  owner: string
  from: string
  to: string
  /** When the answer arrived, ms since the epoch. */
  fetched_at: number
  answer: DistrictScorecard
}

interface DashboardSchema extends DBSchema {
  views: {
    key: string
    value: SavedView
    indexes: { owner: string }
  }
}

export const KEEP_PERIODS = 12

export class SavedViews {
  private db: Promise<IDBPDatabase<DashboardSchema>> | null = null

  constructor(
    private readonly name = 'minxin-dashboard',
    private readonly keep = KEEP_PERIODS,
  ) {}

  private open(): Promise<IDBPDatabase<DashboardSchema>> {
    this.db ??= openDB<DashboardSchema>(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('views', { keyPath: 'key' }).createIndex('owner', 'owner')
      },
    })
    return this.db
  }

  /** Keeps an answer as the period's latest, and drops the owner's oldest beyond the limit. */
  async save(owner: string, period: { from: string; to: string }, answer: DistrictScorecard, fetchedAt: number): Promise<void> {
    const db = await this.open()
    const tx = db.transaction('views', 'readwrite')
    const { from, to } = period
    await tx.store.put({ key: `${owner}|${from}|${to}`, owner, from, to, fetched_at: fetchedAt, answer })
    const mine = await tx.store.index('owner').getAll(owner)
    mine.sort((a, b) => b.fetched_at - a.fetched_at)
    for (const old of mine.slice(this.keep)) await tx.store.delete(old.key)
    await tx.done
  }

  /** The saved answer of exactly this period. */
  async get(owner: string, from: string, to: string): Promise<SavedView | undefined> {
    return (await this.open()).get('views', `${owner}|${from}|${to}`)
  }

  /** The owner's most recently fetched answer, whatever its period. */
  async latest(owner: string): Promise<SavedView | undefined> {
    const mine = await (await this.open()).getAllFromIndex('views', 'owner', owner)
    return mine.sort((a, b) => b.fetched_at - a.fetched_at)[0]
  }

  close(): void {
    void this.db?.then((db) => db.close())
    this.db = null
  }
}

/** What the dashboard shows: an answer, when it was fetched, and whether it is a saved copy. */
export interface Shown {
  answer: DistrictScorecard
  fetchedAt: number
  /** The network failed: this is the copy saved when it was fetched. */
  offline: boolean
  /** The saved copy is of another period than the one asked for (the latest one fetched). */
  otherPeriod: boolean
}

/**
 * Fetches the period's district view and keeps it; when the network fails, answers the copy
 * saved for that period, else the latest saved copy of any period. An answer from the server
 * (an error included) is never hidden behind a saved copy; with nothing saved the network
 * failure is thrown.
 */
export async function loadView(
  saved: Pick<SavedViews, 'save' | 'get' | 'latest'>,
  owner: string,
  from: string,
  to: string,
  fetcher: () => Promise<DistrictScorecard>,
  now: () => number = Date.now,
): Promise<Shown> {
  try {
    const answer = await fetcher()
    const fetchedAt = now()
    try {
      await saved.save(owner, { from, to }, answer, fetchedAt)
    } catch (err) {
      console.warn('could not keep the figures for offline use', err)
    }
    return { answer, fetchedAt, offline: false, otherPeriod: false }
  } catch (err) {
    if (!isOffline(err)) throw err
    const copy = (await saved.get(owner, from, to).catch(() => undefined)) ?? (await saved.latest(owner).catch(() => undefined))
    if (!copy) throw err
    return { answer: copy.answer, fetchedAt: copy.fetched_at, offline: true, otherPeriod: copy.from !== from || copy.to !== to }
  }
}
