import { inject, type InjectionKey, type Ref } from 'vue'
import type { ApiClient } from './api/client'
import type { Session, User } from './api/session'
import type { Outbox } from './outbox/outbox'

/** What every page shares: the API client, the outbox, who is signed in, and the unsynced count. */
export interface AppContext {
  client: ApiClient
  outbox: Outbox
  /** The signed-in user, or null. */
  user: Ref<User | null>
  /** Records of the signed-in user still waiting in the outbox. */
  unsynced: Ref<number>
  signedIn(session: Session): Promise<void>
  signOut(): Promise<void>
  /** The server refused the session: forget it and ask for a new login. */
  sessionLost(): Promise<void>
}

export const appKey: InjectionKey<AppContext> = Symbol('minxin')

export function useApp(): AppContext {
  const context = inject(appKey)
  if (!context) throw new Error('useApp() outside the Minxin app')
  return context
}
