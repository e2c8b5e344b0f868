import type { Directory, PetitionApi } from '../../api/petitions'

const KEY = 'minxin.directory'

export type DirectorySource = 'server' | 'cache'

function isDirectory(value: unknown): value is Directory {
  if (typeof value !== 'object' || value === null) return false
  const d = value as Record<string, unknown>
  return Array.isArray(d.townships) && Array.isArray(d.petition_categories)
}

/**
 * The public directory from the server, kept on the device so that a villager who opened the
 * form once can go on filling it in where the signal is weak. Answers null when neither the
 * server nor the device has it.
 */
export async function loadDirectory(
  api: Pick<PetitionApi, 'directory'>,
  storage: Storage,
): Promise<{ directory: Directory; source: DirectorySource } | null> {
  try {
    const directory = await api.directory()
    storage.setItem(KEY, JSON.stringify(directory))
    return { directory, source: 'server' }
  } catch (err) {
    const raw = storage.getItem(KEY)
    if (raw !== null) {
      try {
        const cached: unknown = JSON.parse(raw)
        if (isDirectory(cached)) return { directory: cached, source: 'cache' }
      } catch {
        // An unreadable copy is as good as none.
      }
    }
    console.warn('the directory could not be loaded', err)
    return null
  }
}
