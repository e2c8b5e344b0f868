import type { Directory } from '../../../api/petitions'

/** A petition category's name in the page's language, or its code when the directory lacks it. */
export function categoryName(directory: Directory | null, code: string, locale: string): string {
  const c = directory?.petition_categories.find((x) => x.code === code)
  if (!c) return code
  return locale === 'en-US' ? c.name_en : c.name_zh
}

/** Ids for aria-describedby, the false ones left out; undefined when none is left. */
export function describedBy(...ids: (string | false)[]): string | undefined {
  const list = ids.filter((id): id is string => id !== false)
  return list.length > 0 ? list.join(' ') : undefined
}
