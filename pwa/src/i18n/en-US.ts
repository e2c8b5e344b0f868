import type { Messages } from './zh-CN'

const enUS: Messages = {
  app: {
    name: 'Minxin',
    tagline: 'Minxin programme · petitions and officials’ duties',
  },
  nav: {
    home: 'Home',
    outbox: 'To sync',
    back: 'Back',
    label: 'Main menu',
  },
  lang: {
    other: '中文',
    switchLabel: '切换为中文',
  },
  entry: {
    intro: 'Have a problem or a request? Tell us.',
    petition: 'File a petition',
    petitionHint: 'No account needed, a few simple steps',
    track: 'Track a petition',
    trackHint: 'With your tracking code and PIN',
    staff: 'Staff login',
    workbench: 'Open my workspace',
  },
  login: {
    title: 'Staff login',
    username: 'Username',
    password: 'Password',
    submit: 'Log in',
    required: 'Please enter your {field}',
    tooMany: 'Too many attempts. Try again in {wait}.',
    expired: 'Your session has expired. Please log in again.',
    network: 'Cannot reach the server. Check the network and try again.',
  },
  wait: {
    seconds: '{n} s',
    minutes: '{n} min',
  },
  roles: {
    official: 'Township official',
    petition_officer: 'Petition officer',
    inspector: 'Inspector',
    admin: 'Administrator',
    villager: 'Villager',
  },
  home: {
    greeting: 'Hello, {name}',
    titles: {
      official: 'Official’s workspace',
      petition_officer: 'Petition desk',
      inspector: 'Audit workspace',
      admin: 'Administration',
      villager: 'My petitions',
    },
    teamMember: 'Leadership team',
    lead: 'Principal leader',
    unsynced: 'Records to sync',
    allSynced: 'All synced',
    cachedProfile: 'The server cannot be reached; showing the details saved at login',
    logout: 'Log out',
    logoutTitle: 'Some records are not synced',
    logoutMessage:
      '{n} record(s) have not reached the server yet. They stay on this phone after you log out and upload again only when the same account logs in. Log out anyway?',
    logoutConfirm: 'Log out anyway',
  },
  outbox: {
    title: 'To sync',
    intro: 'Records are saved on the phone first and uploaded in order whenever there is a network.',
    empty: 'All records are synced',
    syncNow: 'Sync now',
    waiting: 'Waiting to sync',
    blocked: 'Needs attention',
    createdAt: 'Recorded: {time}',
    attempts: '{n} attempt(s)',
    nextAttempt: 'Next try: {time}',
    retry: 'Retry',
    discard: 'Discard',
    discardTitle: 'Discard this record?',
    discardMessage: 'A discarded record is never uploaded and cannot be restored.',
    kinds: {
      attachment: 'Photo',
    },
    errors: {
      network: 'No network',
      timeout: 'The connection timed out',
      auth: 'Session expired; log in again to continue syncing',
      http: 'The server could not handle it now ({status})',
    },
    results: {
      idle: 'Everything is synced',
      waiting: 'Not synced yet; trying again shortly',
      blocked: 'A record needs your attention',
      offline: 'No network; syncing resumes when it returns',
      signed_out: 'Log in again to continue syncing',
      busy: 'Syncing',
    },
  },
  errors: {
    network: 'Cannot reach the server. Check the network and try again.',
    http: 'Something went wrong ({status})',
  },
  notFound: {
    title: 'Page not found',
    message: 'This page does not exist or is not open yet.',
    back: 'Back to home',
  },
}

export default enUS
