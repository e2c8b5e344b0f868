import { i18n } from '../i18n'

const zh = {
  location: {
    locating: '正在定位…（最多 20 秒）',
    good: '很准',
    fair: '一般',
    poor: '偏差较大',
    about: '约 {m} 米',
    level: '定位{level}，{about}',
    poorHint: '偏差较大的签到会被标记，不计入考核。可以到空旷处再试。',
    none: '没有取得位置',
    noneHint: '仍然可以签到，这条记录会被标记为“无定位”，不计入考核。',
    failures: {
      unsupported: '这台手机不支持定位',
      denied: '没有定位权限：请在浏览器设置里允许本网站使用位置',
      unavailable: '暂时取不到位置',
      timeout: '20 秒内没有取得位置',
      stopped: '已停止定位',
    },
    retry: '重新定位',
    useNow: '就用这个位置',
  },
}

const en = {
  location: {
    locating: 'Finding your location… (up to 20 s)',
    good: 'precise',
    fair: 'fair',
    poor: 'imprecise',
    about: 'about {m} m',
    level: 'Location {level}, {about}',
    poorHint: 'An imprecise check-in is flagged and does not count. Try again in the open.',
    none: 'No location',
    noneHint: 'You can still check in; the record is flagged "no location" and does not count.',
    failures: {
      unsupported: 'This phone cannot give a location',
      denied: 'Location is not allowed: allow it for this site in the browser settings',
      unavailable: 'The location is not available right now',
      timeout: 'No location within 20 seconds',
      stopped: 'Stopped looking for the location',
    },
    retry: 'Try again',
    useNow: 'Use this location',
  },
}

i18n.global.mergeLocaleMessage('zh-CN', zh)
i18n.global.mergeLocaleMessage('en-US', en)
