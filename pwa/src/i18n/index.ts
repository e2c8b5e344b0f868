import { createI18n } from 'vue-i18n'
import { Locale as VantLocale } from 'vant'
import vantEnUS from 'vant/es/locale/lang/en-US'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import zhCN from './zh-CN'
import enUS from './en-US'
import { setApiLanguage } from '../api/language'

export type AppLocale = 'zh-CN' | 'en-US'

const STORAGE_KEY = 'minxin.locale'

function savedLocale(): AppLocale {
  return localStorage.getItem(STORAGE_KEY) === 'en-US' ? 'en-US' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  // Each group of lazily loaded pages merges its own messages (e.g. views/villager/messages.ts).
  messages: { 'zh-CN': zhCN, 'en-US': enUS },
})

function apply(locale: AppLocale): void {
  i18n.global.locale.value = locale
  setApiLanguage(locale)
  document.documentElement.lang = locale
  VantLocale.use(locale, locale === 'en-US' ? vantEnUS : vantZhCN)
}

/** Switches the language and remembers it on this device. */
export function setLocale(locale: AppLocale): void {
  localStorage.setItem(STORAGE_KEY, locale)
  apply(locale)
}

apply(savedLocale())
