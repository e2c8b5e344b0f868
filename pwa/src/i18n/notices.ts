import { i18n } from './index'

// The messages of the notice list (书面告知), shared by the tracking page and the office's
// petition page; merged when either first loads it.
const zh = {
  notices: {
    title: '书面告知',
    none: '还没有书面告知。',
    number: '文号',
    kinds: {
      acceptance: '受理告知书',
      non_acceptance: '不予受理告知书',
      extension: '延期办理告知书',
      reply: '信访事项处理意见书',
      review: '复查意见书',
      rereview: '复核意见书',
      transfer: '转送告知书',
    },
    get: '获取告知书',
    again: '重新下载',
    open: '打开查看',
    download: '保存到手机',
    print: '打印',
    verified: '已核对：与发出时的文件一致。',
    mismatch: '文件与发出时的不一致，请重新下载。',
    network: '连不上服务器，请检查网络后再试。',
    masked: '您的账号看不到信访人信息，不能打开这份告知书。',
    gone: '找不到这份告知书，请重新查询。',
    tooMany: '密码错误次数太多，请稍后再试。',
    failed: '没能取得告知书：{message}',
    last: '上次打开的告知书',
    lastHelp: '没有网络时也能打开。',
    forget: '从这台手机上删除',
  },
}

const en: typeof zh = {
  notices: {
    title: 'Written notices',
    none: 'No written notice yet.',
    number: 'Number',
    kinds: {
      acceptance: 'Notice of acceptance',
      non_acceptance: 'Notice of non-acceptance',
      extension: 'Notice of extension',
      reply: 'Handling opinion',
      review: 'Review opinion',
      rereview: 'Re-review opinion',
      transfer: 'Notice of transfer',
    },
    get: 'Get the notice',
    again: 'Download again',
    open: 'Open',
    download: 'Save to phone',
    print: 'Print',
    verified: 'Checked: the same file as issued.',
    mismatch: 'The file differs from the one issued; download it again.',
    network: 'Cannot reach the server. Check the network and try again.',
    masked: 'Your account sees the petitioner masked and cannot open this notice.',
    gone: 'This notice was not found; look the petition up again.',
    tooMany: 'Too many wrong PINs; try again later.',
    failed: 'Could not get the notice: {message}',
    last: 'The notice opened last',
    lastHelp: 'Opens without a network too.',
    forget: 'Remove from this phone',
  },
}

i18n.global.mergeLocaleMessage('zh-CN', zh)
i18n.global.mergeLocaleMessage('en-US', en)
