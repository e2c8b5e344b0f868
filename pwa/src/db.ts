import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { Session } from './api/session'
import type { OutboxItem } from './outbox/types'

export interface MinxinSchema extends DBSchema {
  /** Requests waiting to reach the server, oldest first (seq is their order). */
  outbox: {
    key: number
    value: OutboxItem
    indexes: { owner: string; id: string }
  }
  /** The signed-in user's tokens, under the key "current". */
  session: {
    key: string
    value: Session
  }
}

export type MinxinDB = IDBPDatabase<MinxinSchema>

export function openMinxinDB(name = 'minxin'): Promise<MinxinDB> {
  return openDB<MinxinSchema>(name, 1, {
    upgrade(db) {
      const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true })
      outbox.createIndex('owner', 'owner')
      outbox.createIndex('id', 'id', { unique: true })
      db.createObjectStore('session')
    },
  })
}
