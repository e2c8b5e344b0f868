/**
 * A record that refers to a photo still in the outbox carries a placeholder string in place
 * of the attachment id: "local-attachment:<the upload item's id>". When the upload succeeds,
 * every placeholder for it in later items is replaced by the server's attachment id; when the
 * user discards the upload, the placeholders are removed.
 */
const PREFIX = 'local-attachment:'

export function placeholderFor(uploadItemId: string): string {
  return PREFIX + uploadItemId
}

export function containsPlaceholder(value: unknown, placeholder: string): boolean {
  if (value === placeholder) return true
  if (Array.isArray(value)) return value.some((v) => containsPlaceholder(v, placeholder))
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).some((v) => containsPlaceholder(v, placeholder))
  }
  return false
}

/**
 * Returns a copy of value with each placeholder replaced by the attachment id, or, when the
 * id is null, dropped from arrays and set to null elsewhere.
 */
export function resolvePlaceholder(value: unknown, placeholder: string, attachmentId: string | null): unknown {
  if (value === placeholder) return attachmentId
  if (Array.isArray(value)) {
    const items = attachmentId === null ? value.filter((v) => v !== placeholder) : value
    return items.map((v) => resolvePlaceholder(v, placeholder, attachmentId))
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolvePlaceholder(v, placeholder, attachmentId)]),
    )
  }
  return value
}
