import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/problem'
import { emptyForm, placeServerErrors, registerPetition, toRequest, uploadAttachment, validate, type ReceptionForm } from '../src/views/official/receptionPetition'
import { json, problem, rig } from './helpers'

const TOWNSHIP = '22222222-2222-4222-8222-222222222222'
const VILLAGE = '33333333-3333-4333-8333-333333333333'
const OFFICIAL = '44444444-4444-4444-8444-444444444444'
const CATEGORIES = ['environment', 'land']

function filled(over: Partial<ReceptionForm> = {}): ReceptionForm {
  return {
    ...emptyForm('key-1'),
    village_id: VILLAGE,
    category: 'environment',
    subject: '  河道垃圾没人清理 ',
    text: ' 桥下河道堆了很多垃圾。 ',
    name: ' 李秀英 ',
    phone: '138 0013-8000',
    ...over,
  }
}

describe('the reception registration form', () => {
  it('starts empty with a fresh idempotency key each time', () => {
    const a = emptyForm()
    const b = emptyForm()
    expect(a.key).toMatch(/^[0-9a-f-]{36}$/)
    expect(a.key).not.toBe(b.key)
    expect(a).toMatchObject({ village_id: '', category: '', anonymous: false, about: [], attachment_id: null })
  })

  it('maps a named petition to the reception channel request', () => {
    expect(toRequest(filled({ about: [OFFICIAL, OFFICIAL], attachment_id: 'att-1' }), TOWNSHIP)).toEqual({
      channel: 'reception',
      township_id: TOWNSHIP,
      village_id: VILLAGE,
      category: 'environment',
      subject: '河道垃圾没人清理',
      text: '桥下河道堆了很多垃圾。',
      anonymous: false,
      petitioner: { name: '李秀英', phone: '13800138000' },
      about_official_ids: [OFFICIAL],
      attachment_ids: ['att-1'],
    })
  })

  it('sends no petitioner for an anonymous report, and no village when none was chosen', () => {
    const body = toRequest(filled({ anonymous: true, village_id: '' }), TOWNSHIP)
    expect(body.petitioner).toBeNull()
    expect(body.anonymous).toBe(true)
    expect(body.village_id).toBeNull()
    expect(body.attachment_ids).toEqual([])
    expect(JSON.stringify(body)).not.toContain('李秀英')
  })

  it('accepts a complete form', () => {
    expect(validate(filled(), CATEGORIES)).toEqual([])
    expect(validate(filled({ anonymous: true, name: '', phone: '' }), CATEGORIES)).toEqual([])
  })

  it('asks for category, subject, text, name and phone', () => {
    const errors = validate(emptyForm(), CATEGORIES)
    expect(errors.map((e) => `${e.field}:${e.key}`)).toEqual(['category:chooseCategory', 'subject:required', 'text:required', 'name:required', 'phone:required'])
  })

  it('refuses a wrong phone, a category no longer in force, over-long text and too many officials', () => {
    const errors = validate(
      filled({ phone: '13800', category: 'gone', subject: '字'.repeat(201), about: Array.from({ length: 21 }, (_, i) => `o${i}`) }),
      CATEGORIES,
    )
    expect(errors).toEqual([
      { field: 'category', key: 'chooseCategory' },
      { field: 'subject', key: 'tooLong', params: { max: 200 } },
      { field: 'phone', key: 'badPhone' },
      { field: 'about', key: 'tooMany', params: { max: 20 } },
    ])
    // Whitespace alone is not a subject.
    expect(validate(filled({ subject: '   ' }), CATEGORIES)).toEqual([{ field: 'subject', key: 'required' }])
  })

  it('places the server’s field errors on the form’s fields', () => {
    expect(
      placeServerErrors([
        { field: 'petitioner.phone', message: 'bad phone' },
        { field: 'about_official_ids[0]', message: 'not an official of the township' },
        { field: 'received_on', message: 'no reception day' },
      ]),
    ).toEqual([
      { field: 'phone', message: 'bad phone' },
      { field: 'about', message: 'not an official of the township' },
      { field: 'form', message: 'no reception day' },
    ])
  })
})

describe('sending a registration', () => {
  it('posts the body with the form’s key as Idempotency-Key and answers the code and PIN', async () => {
    const { client, server } = await rig({ handler: () => json(201, { id: 'p1', tracking_code: 'MX7K2Q9A', pin: '483920' }) })
    const form = filled()
    const out = await registerPetition(client, toRequest(form, TOWNSHIP), form.key)
    expect(out).toEqual({ id: 'p1', tracking_code: 'MX7K2Q9A', pin: '483920' })
    expect(server.calls).toHaveLength(1)
    const call = server.calls[0]
    expect(`${call.method} ${call.url}`).toBe('POST /api/v1/petitions')
    expect(call.headers['Idempotency-Key']).toBe('key-1')
    expect(call.headers.Authorization).toBe('Bearer access-1')
    expect(call.json).toMatchObject({ channel: 'reception', township_id: TOWNSHIP, petitioner: { phone: '13800138000' } })
  })

  it('throws the 403 for someone who is not today’s receiver', async () => {
    const { client } = await rig({ handler: () => problem(403, 'not_receiver', 'only the day’s receiver') })
    const err = await registerPetition(client, toRequest(filled(), TOWNSHIP), 'k').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(403)
  })

  it('uploads a photo as multipart field file', async () => {
    const { client, server } = await rig({ handler: () => json(201, { id: 'att-9' }) })
    const id = await uploadAttachment(client, new Blob(['x'], { type: 'image/jpeg' }), 'p.jpg')
    expect(id).toBe('att-9')
    expect(server.calls[0].url).toBe('/api/v1/attachments')
    expect(server.calls[0].form?.get('file')).toBeInstanceOf(Blob)
  })
})
