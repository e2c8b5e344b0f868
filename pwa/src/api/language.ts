/** The language the server writes its error messages in: the app's own, which i18n sets. */
let current = 'zh-CN'

export function setApiLanguage(locale: string): void {
  current = locale
}

/** The Accept-Language header of every request. */
export function apiLanguage(): string {
  return current
}
