type Translate = (key: string, named: Record<string, unknown>) => string

/** "75 秒" / "3 分钟": how long to wait, rounded up; seconds under two minutes. */
export function waitText(t: Translate, ms: number): string {
  const seconds = Math.ceil(ms / 1000)
  return seconds < 120 ? t('wait.seconds', { n: seconds }) : t('wait.minutes', { n: Math.ceil(seconds / 60) })
}

/** A date and time in the reader's language, e.g. 2026/11/25 08:30. */
export function dateTime(locale: string, value: string | number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(value))
}
