import { describe, expect, it } from 'vitest'
import {
  deleteLeave,
  errorsFrom,
  holidayBody,
  householdBody,
  householdFormOf,
  householdQR,
  leaveBody,
  numberOf,
  placeBody,
  placeFormOf,
  putSetting,
  saveHousehold,
  saveVillage,
  settingBody,
  settingHistory,
  settingKind,
  userCreateBody,
  userFormOf,
  userUpdateBody,
  type StaffUser,
} from '../src/api/org'
import { ApiError } from '../src/api/problem'
import { json, problem, rig } from './helpers'

const TW = '01a2156a-cd11-74d1-8144-c3482ee27220'
const VI = '01a2156a-d1df-7b49-87b6-b80304233f49'
const OF = '01a2156a-cc68-7cf5-8a16-4cf3bed85e21'

describe('township and village forms', () => {
  it('maps typed text to numbers and leaves an empty radius out, so the default applies', () => {
    expect(placeBody({ name: ' 青山镇 ', lat: '30.2741', lng: ' 120.1551', radius_m: '' })).toEqual({
      ok: true,
      body: { name: '青山镇', lat: 30.2741, lng: 120.1551 },
    })
    expect(placeBody({ name: '村', lat: '-30', lng: '120．5', radius_m: '1500' })).toEqual({
      ok: true,
      body: { name: '村', lat: -30, lng: 120.5, radius_m: 1500 },
    })
  })

  it('refuses a missing name, a latitude out of range, words, and a zero or huge radius', () => {
    expect(placeBody({ name: '', lat: '91', lng: 'east', radius_m: '0' })).toEqual({
      ok: false,
      errors: { name: 'org.v.required', lat: 'org.v.range.lat', lng: 'org.v.number', radius_m: 'org.v.range.radius_m' },
    })
    expect(placeBody({ name: 'x', lat: '', lng: '181', radius_m: '100001' })).toEqual({
      ok: false,
      errors: { lat: 'org.v.required', lng: 'org.v.range.lng', radius_m: 'org.v.range.radius_m' },
    })
    expect(placeBody({ name: 'x'.repeat(101), lat: '1', lng: '1', radius_m: '' })).toMatchObject({ ok: false, errors: { name: 'org.v.tooLong' } })
  })

  it('fills the edit form from the stored place', () => {
    expect(placeFormOf({ id: TW, name: '青山镇', lat: 30.27, lng: 120.15, radius_m: 3000 })).toEqual({ name: '青山镇', lat: '30.27', lng: '120.15', radius_m: '3000' })
  })
})

describe('household form', () => {
  const base = householdFormOf(null, VI)

  it('sends the village, trimmed text and the phone without spaces; no position and no contact when empty', () => {
    expect(householdBody({ ...base, head_name: ' 张大山 ', address: '一组 3 号', phone: '138 0000-1234' })).toEqual({
      ok: true,
      body: { village_id: VI, head_name: '张大山', address: '一组 3 号', phone: '13800001234' },
    })
  })

  it('sends latitude and longitude together, and the chosen contact official', () => {
    expect(householdBody({ ...base, head_name: 'a', address: 'b', lat: '30.1', lng: '120.2', contact_official_id: OF })).toEqual({
      ok: true,
      body: { village_id: VI, head_name: 'a', address: 'b', phone: '', lat: 30.1, lng: 120.2, contact_official_id: OF },
    })
  })

  it('asks for the other coordinate when only one is given, and checks the phone', () => {
    expect(householdBody({ ...base, head_name: 'a', address: 'b', lat: '30.1', phone: '12345' })).toEqual({
      ok: false,
      errors: { lng: 'org.v.required', phone: 'org.v.phone' },
    })
    expect(householdBody({ ...base, head_name: '', address: '', phone: '+8613800001234' })).toEqual({
      ok: false,
      errors: { head_name: 'org.v.required', address: 'org.v.required' },
    })
  })

  it('keeps a stored household’s values in the edit form', () => {
    const f = householdFormOf(
      { id: 'h', township_id: TW, village_id: VI, head_name: '李', address: '二组', phone: '', lat: null, lng: null, contact_official_id: OF },
      'other',
    )
    expect(f).toEqual({ village_id: VI, head_name: '李', address: '二组', phone: '', lat: '', lng: '', contact_official_id: OF })
  })
})

describe('user forms', () => {
  const official: StaffUser = {
    id: OF,
    username: 'qs-official2',
    display_name: '王芳',
    role: 'official',
    township_id: TW,
    team_member: true,
    lead: false,
    appointed_on: null,
  }

  it('creates an official with township, flags and appointment date', () => {
    const f = { ...userFormOf(), username: 'wang.fang', display_name: '王芳', role: 'official' as const, township_id: TW, team_member: true, appointed_on: '2026-03-01', password: 'long-enough-1' }
    expect(userCreateBody(f)).toEqual({
      ok: true,
      body: { username: 'wang.fang', password: 'long-enough-1', display_name: '王芳', role: 'official', township_id: TW, team_member: true, lead: false, appointed_on: '2026-03-01' },
    })
  })

  it('leaves the township and official flags out for roles that must not have them', () => {
    const f = { ...userFormOf(), username: 'zhou', display_name: '周', role: 'inspector' as const, township_id: TW, team_member: true, lead: true, password: 'long-enough-1' }
    expect(userCreateBody(f)).toEqual({ ok: true, body: { username: 'zhou', password: 'long-enough-1', display_name: '周', role: 'inspector' } })
    const po = { ...f, role: 'petition_officer' as const }
    expect(userCreateBody(po)).toEqual({ ok: true, body: { username: 'zhou', password: 'long-enough-1', display_name: '周', role: 'petition_officer', township_id: TW } })
    expect(userCreateBody({ ...po, township_id: '' })).toEqual({ ok: true, body: { username: 'zhou', password: 'long-enough-1', display_name: '周', role: 'petition_officer' } })
  })

  it('refuses a bad username, a short password, a missing role and an official without a township', () => {
    expect(userCreateBody({ ...userFormOf(), username: 'a b', display_name: 'x', password: 'short' })).toEqual({
      ok: false,
      errors: { username: 'org.v.username', role: 'org.v.required', password: 'org.v.password' },
    })
    expect(userCreateBody({ ...userFormOf(), username: 'abc', display_name: 'x', role: 'official', password: '0123456789' })).toEqual({
      ok: false,
      errors: { township_id: 'org.v.required' },
    })
  })

  it('sends only what changed on an edit, and the password only when one was typed', () => {
    const f = userFormOf(official)
    expect(userUpdateBody({ ...f, lead: true, appointed_on: '2026-05-01' }, official)).toEqual({ ok: true, body: { lead: true, appointed_on: '2026-05-01' } })
    expect(userUpdateBody({ ...f, display_name: ' 王芳芳 ', password: 'new-password-1' }, official)).toEqual({
      ok: true,
      body: { display_name: '王芳芳', password: 'new-password-1' },
    })
    expect(userUpdateBody(f, official)).toEqual({ ok: false, errors: { '': 'org.v.nothing' } })
    expect(userUpdateBody({ ...f, password: '123' }, official)).toEqual({ ok: false, errors: { password: 'org.v.password' } })
  })

  it('cannot clear an appointment date (the API keeps fields left out) and sends no official flags for others', () => {
    const appointed = { ...official, appointed_on: '2026-01-05' }
    expect(userUpdateBody({ ...userFormOf(appointed), appointed_on: '' }, appointed)).toEqual({ ok: false, errors: { appointed_on: 'org.v.keepDate' } })
    const admin: StaffUser = { ...official, role: 'admin', township_id: null, team_member: false }
    expect(userUpdateBody({ ...userFormOf(admin), team_member: true, display_name: '管理员' }, admin)).toEqual({ ok: true, body: { display_name: '管理员' } })
  })
})

describe('leave, holiday and setting forms', () => {
  it('checks leave dates and the reason', () => {
    expect(leaveBody({ user_id: OF, start_date: '2026-12-01', end_date: '2026-12-03', reason: ' 培训 ' })).toEqual({
      ok: true,
      body: { user_id: OF, start_date: '2026-12-01', end_date: '2026-12-03', reason: '培训' },
    })
    expect(leaveBody({ user_id: '', start_date: '2026-12-05', end_date: '2026-12-03', reason: '' })).toEqual({
      ok: false,
      errors: { user_id: 'org.v.required', end_date: 'org.v.endBeforeStart', reason: 'org.v.required' },
    })
  })

  it('puts a holiday by date with its kind and name', () => {
    expect(holidayBody({ date: '2026-10-01', working: false, name: ' 国庆节 ' })).toEqual({ ok: true, body: { date: '2026-10-01', body: { working: false, name: '国庆节' } } })
    expect(holidayBody({ date: '', working: true, name: '' })).toEqual({ ok: false, errors: { date: 'org.v.required' } })
  })

  it('tells number, clock and list settings apart', () => {
    expect(settingKind(90)).toBe('number')
    expect(settingKind('09:00')).toBe('clock')
    expect(settingKind('24:00')).toBe('clock')
    expect(settingKind([{ code: 'land' }])).toBe('list')
    expect(settingKind('soon')).toBe('other')
  })

  it('sends a whole number or an HH:MM clock from today or later', () => {
    const today = '2026-11-26'
    expect(settingBody({ key: 'links.min_households', value: ' 12 ', effective_from: today }, 'number', today)).toEqual({
      ok: true,
      body: { key: 'links.min_households', value: 12, effective_from: today },
    })
    expect(settingBody({ key: 'reception.on_time_before', value: '08:30', effective_from: '2027-01-01' }, 'clock', today)).toEqual({
      ok: true,
      body: { key: 'reception.on_time_before', value: '08:30', effective_from: '2027-01-01' },
    })
    expect(settingBody({ key: 'links.min_households', value: '1.5', effective_from: '2026-11-25' }, 'number', today)).toEqual({
      ok: false,
      errors: { value: 'org.v.integer', effective_from: 'org.v.notPast' },
    })
    expect(settingBody({ key: 'reception.on_time_before', value: '9:00', effective_from: today }, 'clock', today)).toEqual({
      ok: false,
      errors: { value: 'org.v.clock' },
    })
    expect(settingBody({ key: 'visits.categories', value: '', effective_from: today }, 'list', today)).toMatchObject({ ok: false, errors: { key: 'org.v.notEditable' } })
  })

  it('groups the history by key, newest first', () => {
    const rec = (key: string, effective_from: string, value: unknown) => ({ key, effective_from, value, created_by: null, created_at: `${effective_from}T00:00:00Z` })
    expect(settingHistory([rec('b', '0001-01-01', 1), rec('a', '0001-01-01', 2), rec('b', '2027-01-01', 3), rec('b', '2026-12-01', 4)])).toEqual([
      { key: 'a', values: [rec('a', '0001-01-01', 2)] },
      { key: 'b', values: [rec('b', '2027-01-01', 3), rec('b', '2026-12-01', 4), rec('b', '0001-01-01', 1)] },
    ])
  })

  it('reads typed numbers', () => {
    expect(numberOf('')).toBeUndefined()
    expect(numberOf(' 3.5 ')).toBe(3.5)
    expect(numberOf('3,000')).toBeNaN()
    expect(numberOf('1e3')).toBeNaN()
    expect(numberOf('.5')).toBe(0.5)
  })
})

describe('server errors next to the fields', () => {
  const refusal = (errors: { field: string; message: string }[]) =>
    new ApiError({ status: 422, title: 'Unprocessable Entity', detail: 'some fields are invalid', code: 'invalid_field', errors }, null)

  it('puts each field error by its field and the rest under the form', () => {
    expect(
      errorsFrom(
        refusal([
          { field: 'effective_from', message: 'must be today or later' },
          { field: 'effective_from', message: 'again' },
          { field: 'evidence.lat', message: 'odd' },
        ]),
        ['value', 'effective_from'],
      ),
    ).toEqual({ effective_from: 'must be today or later; again', '': 'evidence.lat: odd' })
  })

  it('shows the detail of a refusal without field errors, and offline as such', () => {
    expect(errorsFrom(new ApiError({ status: 409, title: 'Conflict', detail: 'username taken', code: 'username_taken', errors: [] }, null), ['username'])).toEqual({
      '': 'username taken',
    })
    expect(errorsFrom(new TypeError('Failed to fetch'), [])).toEqual({ '': 'errors.network' })
  })
})

describe('organisation requests', () => {
  it('creates with POST and changes with PATCH, and reads the server’s field errors', async () => {
    const r = await rig({
      handler: (call) => {
        if (call.method === 'POST' && call.url === '/api/v1/villages') return json(201, { id: VI, ...(call.json as object) })
        if (call.method === 'PATCH') return json(200, { id: 'h1', ...(call.json as object) })
        return problem(422, 'invalid_field', 'some fields are invalid', { errors: [{ field: 'effective_from', message: 'must be today or later' }] })
      },
    })
    expect(await saveVillage(r.client, { township_id: TW, name: '新村', lat: 30, lng: 120 })).toMatchObject({ id: VI, name: '新村' })
    await saveHousehold(r.client, { village_id: VI, head_name: 'a', address: 'b', phone: '' }, 'h1')
    expect(r.server.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/v1/villages', 'PATCH /api/v1/households/h1'])
    const refused = await putSetting(r.client, { key: 'links.min_households', value: 1, effective_from: '2020-01-01' }).catch((e: unknown) => e)
    expect(errorsFrom(refused, ['effective_from'])).toEqual({ effective_from: 'must be today or later' })
  })

  it('deletes leave (a missing one is already gone) and fetches a QR code as a PNG', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
    const r = await rig({
      handler: (call) => {
        if (call.url.endsWith('/leaves/gone')) return problem(404, 'not_found', 'no such leave')
        if (call.url.endsWith('/leaves/other')) return problem(403, 'forbidden', 'not yours')
        if (call.url.includes('/qr')) return new Response(png, { status: 200, headers: { 'Content-Type': 'image/png' } })
        return new Response(null, { status: 204 })
      },
    })
    await deleteLeave(r.client, 'l1')
    await deleteLeave(r.client, 'gone')
    await expect(deleteLeave(r.client, 'other')).rejects.toMatchObject({ status: 403, message: 'not yours' })
    const blob = await householdQR(r.client, 'h1')
    expect(blob.type).toBe('image/png')
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(png)
    expect(r.server.calls.at(-1)?.url).toBe('/api/v1/households/h1/qr?format=png')
  })
})
