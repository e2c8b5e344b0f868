/** Words the casework screens share: states, channels, categories, deadlines and days left. */
import { onMounted, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { PetitionApi, type Directory } from '../../api/petitions'
import type { DeadlineEffect } from './casework'
import '../office/messages'
import './messages'

export function useCaseText() {
  const { t, te, locale } = useI18n()
  const categories = ref<Directory['petition_categories']>([])
  onMounted(async () => {
    try {
      categories.value = (await new PetitionApi().directory()).petition_categories
    } catch (err) {
      console.warn('the petition categories could not be read', err)
    }
  })
  const stateName = (s: string) => (te(`office.states.${s}`) ? t(`office.states.${s}`) : s)
  const channelName = (c: string) => (te(`casework.channels.${c}`) ? t(`casework.channels.${c}`) : c)
  const categoryName = (code: string) => {
    const c = categories.value.find((x) => x.code === code)
    return c ? (locale.value === 'en-US' ? c.name_en : c.name_zh) : code
  }
  const deadlineName = (key: string) => (te(`casework.deadlineNames.${key}`) ? t(`casework.deadlineNames.${key}`) : key)
  /** 还剩 3 天 / 今天到期 / 已超期 2 天. */
  const daysText = (daysLeft: number) =>
    daysLeft > 0 ? t('casework.days.left', { n: daysLeft }) : daysLeft === 0 ? t('casework.days.today') : t('casework.days.late', { n: -daysLeft })
  /** What an action does to the deadlines, in a sentence for its confirmation. */
  const effectText = (e: DeadlineEffect | null): string => {
    if (!e) return ''
    if (e.kind === 'sets') return t(`casework.effect.sets.${e.key}`, { date: e.date, days: e.days })
    if (e.kind === 'moves') return t('casework.effect.moves', { from: e.from, date: e.date, days: e.days })
    if (e.kind === 'keeps') return t('casework.effect.keeps', { date: e.date })
    return t('casework.effect.ends')
  }
  return { t, te, locale, stateName, channelName, categoryName, deadlineName, daysText, effectText }
}

/** The deadline that applies to a petition in its state, by the key of `deadlines`. */
export function nextDeadlineKey(state: string): string | null {
  switch (state) {
    case 'submitted':
      return 'accept_by'
    case 'accepted':
    case 'assigned':
      return 'reply_by'
    case 'replied':
      return 'review_request_by'
    case 'review_requested':
      return 'review_by'
    case 'reviewed':
      return 'rereview_request_by'
    case 'rereview_requested':
      return 'rereview_by'
    default:
      return null
  }
}
