import { i18n } from '../../i18n'
import { villagerEnUS, villagerZhCN } from '../../i18n/villager'

// The villager's pages add their messages when one of them is first loaded: the entry page
// does not need them for its first paint.
i18n.global.mergeLocaleMessage('zh-CN', villagerZhCN)
i18n.global.mergeLocaleMessage('en-US', villagerEnUS)
