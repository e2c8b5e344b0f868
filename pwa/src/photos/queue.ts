import type { Outbox } from '../outbox/outbox'
import { resizePhoto } from './resize'

/**
 * Resizes a photo and queues its upload ahead of the record that shows it. Answers the
 * placeholder to put in the record's photo_ids; the outbox swaps in the server's attachment
 * id once the upload has succeeded.
 */
export async function queuePhoto(outbox: Pick<Outbox, 'enqueueUpload'>, file: File): Promise<string> {
  const jpeg = await resizePhoto(file)
  const base = file.name.replace(/\.[^.]*$/, '') || 'photo'
  return outbox.enqueueUpload(jpeg, `${base}.jpg`)
}
