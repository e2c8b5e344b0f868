import { createI18n } from 'vue-i18n'
import { Locale as VantLocale } from 'vant'
import vantEnUS from 'vant/es/locale/lang/en-US'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import zhCN from './zh-CN'
import enUS from './en-US'
import { villagerEnUS, villagerZhCN } from './villager'

export type AppLocale = 'zh-CN' | 'en-US'

const STORAGE_KEY = 'minxin.locale'

function savedLocale(): AppLocale {
  return localStorage.getItem(STORAGE_KEY) === 'en-US' ? 'en-US' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': { ...zhCN, ...villagerZhCN }, 'en-US': { ...enUS, ...villagerEnUS } },
})

function apply(locale: AppLocale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  VantLocale.use(locale, locale === 'en-US' ? vantEnUS : vantZhCN)
}

/** Switches the language and remembers it on this device. */
export function setLocale(locale: AppLocale): void {
  localStorage.setItem(STORAGE_KEY, locale)
  apply(locale)
}

apply(savedLocale())
