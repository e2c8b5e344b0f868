import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { beforeEach } from 'vitest'

// Every test starts with empty browser storage.
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
})
