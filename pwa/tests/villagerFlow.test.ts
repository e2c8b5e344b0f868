import { describe, expect, it } from 'vitest'
import { PetitionApi, type Directory } from '../src/api/petitions'
import { ApiError } from '../src/api/problem'
import { loadDirectory } from '../src/views/villager/directory'
import {
  DraftStore,
  emptyDraft,
  firstIncompleteStep,
  hasContent,
  placeServerErrors,
  reachableStep,
  toRequest,
  validateStep,
  type PetitionDraft,
} from '../src/views/villager/draft'
import { FakeServer, json, problem } from './helpers'
import { MemoryStorage } from './villagerHelpers'

const directory: Directory = {
  townships: [
    { id: 't1', name: '青山镇', villages: [{ id: 'v1', name: '竹溪村' }] },
    { id: 't2', name: '绿水乡', villages: [] },
  ],
  petition_categories: [
    { code: 'land', name_zh: '土地', name_en: 'Land' },
    { code: 'environment', name_zh: '环境', name_en: 'Environment' },
  ],
}

function complete(overrides: Partial<PetitionDraft> = {}): PetitionDraft {
  return {
    ...emptyDraft(),
    township_id: 't1',
    village_id: 'v1',
    category: 'environment',
    subject: '河道垃圾',
    text: '桥下河道堆满垃圾',
    anonymous: false,
    name: '李秀英',
    phone: '138 0013-8000',
    ...overrides,
  }
}

const keys = (d: PetitionDraft, step: Parameters<typeof validateStep>[0]) => validateStep(step, d, directory).map((e) => `${e.field}:${e.key}`)

describe('petition steps', () => {
  it('asks for a township of the directory, and a village of that township or none', () => {
    expect(keys(emptyDraft(), 'where')).toEqual(['township_id:chooseTownship'])
    expect(keys(complete({ township_id: 'nowhere' }), 'where')).toEqual(['township_id:chooseTownship'])
    expect(keys(complete({ village_id: '' }), 'where')).toEqual([])
    expect(keys(complete({ township_id: 't2', village_id: 'v1' }), 'where')).toEqual(['village_id:chooseVillage'])
    expect(keys(complete(), 'where')).toEqual([])
  })

  it('asks for a category in force', () => {
    expect(keys(complete({ category: '' }), 'kind')).toEqual(['category:chooseCategory'])
    expect(keys(complete({ category: 'housing' }), 'kind')).toEqual(['category:chooseCategory'])
    expect(keys(complete(), 'kind')).toEqual([])
  })

  it('checks subject and text for presence and length in characters, not bytes', () => {
    expect(keys(complete({ subject: '  ', text: '' }), 'what')).toEqual(['subject:required', 'text:required'])
    expect(keys(complete({ subject: '字'.repeat(200) }), 'what')).toEqual([])
    expect(validateStep('what', complete({ subject: '字'.repeat(201) }), directory)).toEqual([
      { field: 'subject', key: 'tooLong', params: { max: 200 } },
    ])
    expect(keys(complete({ text: '😀'.repeat(5000) }), 'what')).toEqual([])
    expect(keys(complete({ text: '😀'.repeat(5001) }), 'what')).toEqual(['text:tooLong'])
  })

  it('asks the villager to choose named or anonymous, and for name and phone only when named', () => {
    expect(keys(complete({ anonymous: null }), 'who')).toEqual(['anonymous:chooseWho'])
    expect(keys(complete({ anonymous: true, name: '', phone: '' }), 'who')).toEqual([])
    expect(keys(complete({ name: '', phone: '' }), 'who')).toEqual(['name:required', 'phone:required'])
    expect(keys(complete({ phone: '13800' }), 'who')).toEqual(['phone:phone'])
    expect(keys(complete({ phone: '+86 138-0013-8000' }), 'who')).toEqual([])
    expect(keys(complete({ phone: '1380013800a' }), 'who')).toEqual(['phone:phone'])
  })

  it('never opens a step past one that still has a problem', () => {
    const d = complete({ category: '' })
    expect(firstIncompleteStep(d, directory)).toBe('kind')
    expect(reachableStep('review', d, directory)).toBe('kind')
    expect(reachableStep('where', d, directory)).toBe('where')
    expect(reachableStep('review', complete(), directory)).toBe('review')
    expect(reachableStep('who', emptyDraft(), null)).toBe('where')
  })

  it('sends an anonymous report without anything about the petitioner', () => {
    const body = toRequest(complete({ anonymous: true }))
    expect(body.anonymous).toBe(true)
    expect(body.petitioner).toBeNull()
    expect(JSON.stringify(body)).not.toContain('李秀英')
    expect(JSON.stringify(body)).not.toContain('138')
  })

  it('sends a named petition with the phone without spaces or dashes, trimmed text and uploaded photos only', () => {
    const blob = new Blob(['x'])
    const body = toRequest(
      complete({
        subject: ' 河道垃圾 ',
        village_id: '',
        photos: [
          { key: 'a', blob, name: 'a.jpg', attachment_id: 'att-1' },
          { key: 'b', blob, name: 'b.jpg', attachment_id: null },
        ],
      }),
    )
    expect(body).toEqual({
      channel: 'online',
      township_id: 't1',
      village_id: null,
      category: 'environment',
      subject: '河道垃圾',
      text: '桥下河道堆满垃圾',
      anonymous: false,
      petitioner: { name: '李秀英', phone: '13800138000' },
      attachment_ids: ['att-1'],
    })
  })

  it('places the server field errors on their fields and goes to the earliest step showing one', () => {
    const placed = placeServerErrors([
      { field: 'petitioner.phone', message: 'must be a phone number of 7 to 15 digits' },
      { field: 'category', message: 'is not a petition category in force on 2026-11-25' },
      { field: 'received_on', message: 'leave it out' },
    ])
    expect(placed.step).toBe('kind')
    expect(placed.errors.map((e) => [e.field, e.server])).toEqual([
      ['phone', 'must be a phone number of 7 to 15 digits'],
      ['category', 'is not a petition category in force on 2026-11-25'],
      ['received_on', 'leave it out'],
    ])
    expect(placeServerErrors([{ field: 'received_on', message: 'x' }]).step).toBe('review')
    expect(placeServerErrors([{ field: 'file', message: 'not an image' }]).errors[0].field).toBe('photos')
  })
})

describe('draft on the device', () => {
  it('keeps the draft, photos included, across a reload until it is cleared', async () => {
    const first = new DraftStore('villager-test')
    const d = complete({ photos: [{ key: 'p1', blob: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' }), name: 'p.jpg', attachment_id: null }] })
    await first.save(d)
    first.close()

    const second = new DraftStore('villager-test')
    const loaded = await second.load()
    expect(loaded?.key).toBe(d.key)
    expect(loaded?.subject).toBe('河道垃圾')
    expect(loaded?.photos).toHaveLength(1)
    expect(loaded?.photos[0].name).toBe('p.jpg')
    await second.clear()
    expect(await second.load()).toBeUndefined()
    second.close()
  })

  it('tells an empty draft from one with something typed', () => {
    expect(hasContent(emptyDraft())).toBe(false)
    expect(hasContent({ ...emptyDraft(), text: '有' })).toBe(true)
    expect(hasContent({ ...emptyDraft(), subject: '   ' })).toBe(false)
  })

  it('gives every draft its own idempotency key', () => {
    expect(emptyDraft().key).not.toBe(emptyDraft().key)
  })
})

describe('petition API', () => {
  it('submits without a token, with the draft key as Idempotency-Key', async () => {
    const server = new FakeServer(() => json(201, { id: 'p1', tracking_code: 'XF20261125-0042', pin: '482913' }))
    const api = new PetitionApi({ fetch: server.fetch })
    const out = await api.submit(toRequest(complete()), 'key-1')
    expect(out.pin).toBe('482913')
    const call = server.calls[0]
    expect(call.method).toBe('POST')
    expect(call.url).toBe('/api/v1/petitions')
    expect(call.headers['Idempotency-Key']).toBe('key-1')
    expect(call.headers.Authorization).toBeUndefined()
    expect((call.json as { channel: string }).channel).toBe('online')
  })

  it('answers field errors and Retry-After as an ApiError', async () => {
    const server = new FakeServer((_, i) =>
      i === 0
        ? problem(422, 'invalid_field', 'some fields are invalid', { errors: [{ field: 'subject', message: 'is required' }] })
        : problem(429, 'rate_limited', 'too many', { headers: { 'Retry-After': '120' } }),
    )
    const api = new PetitionApi({ fetch: server.fetch })
    const invalid = await api.submit(toRequest(complete()), 'k').catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(ApiError)
    expect((invalid as ApiError).problem.errors).toEqual([{ field: 'subject', message: 'is required' }])
    const limited = await api.track({ tracking_code: 'XF1', pin: '1' }).catch((e: unknown) => e)
    expect((limited as ApiError).status).toBe(429)
    expect((limited as ApiError).retryAfterMs).toBe(120_000)
  })

  it('uploads a photo as the multipart field file', async () => {
    const server = new FakeServer(() => json(201, { id: 'att-9', sha256: 'x', content_type: 'image/jpeg', size: 3 }))
    const api = new PetitionApi({ fetch: server.fetch })
    expect(await api.uploadPhoto(new Blob(['abc'], { type: 'image/jpeg' }), 'p.jpg')).toBe('att-9')
    const form = server.calls[0].form
    expect(form).not.toBeNull()
    expect([...form!.keys()]).toEqual(['file'])
  })

  it('tracks with code and PIN in the query and acts with them in the body', async () => {
    const server = new FakeServer((call) => (call.method === 'GET' ? json(200, { id: 'p1' }) : json(200, {})))
    const api = new PetitionApi({ fetch: server.fetch })
    const cred = { tracking_code: 'XF20261125-0042', pin: '482913' }
    await api.track(cred)
    await api.act('p1', 'request-review', cred, { reason: '不满意' })
    expect(server.urls()).toEqual(['GET /api/v1/petitions/track?code=XF20261125-0042&pin=482913', 'POST /api/v1/petitions/p1/request-review'])
    expect(server.calls[1].json).toEqual({ reason: '不满意', tracking_code: 'XF20261125-0042', pin: '482913' })
  })

  it('keeps the directory on the device and falls back on it when the server cannot be reached', async () => {
    const storage = new MemoryStorage()
    let online = true
    const api = new PetitionApi({
      fetch: async () => {
        if (!online) throw new TypeError('Failed to fetch')
        return json(200, directory)
      },
    })
    expect(await loadDirectory(api, storage)).toEqual({ directory, source: 'server' })
    online = false
    expect(await loadDirectory(api, storage)).toEqual({ directory, source: 'cache' })
    expect(await loadDirectory(api, new MemoryStorage())).toBeNull()
  })
})
