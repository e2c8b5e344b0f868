import { householdQR } from '../../api/org'
import type { ApiClient } from '../../api/client'

/**
 * Opens a printable page with a household's QR code. The window is opened at once (inside
 * the click, so that pop-up blockers let it through) and filled when the PNG has arrived;
 * answers false when the browser refused the window. The image comes with the login's token,
 * so it is fetched here and handed to the window as a blob URL.
 */
export async function printHouseholdQR(
  client: Pick<ApiClient, 'request'>,
  household: { id: string; head_name: string; address: string },
  title: string,
  loading: string,
): Promise<boolean> {
  const w = window.open('', '_blank')
  if (!w) return false
  const doc = w.document
  doc.title = `${title} · ${household.head_name}`
  doc.body.style.cssText = 'margin:0;font-family:sans-serif;text-align:center'
  doc.body.textContent = loading
  try {
    const url = URL.createObjectURL(await householdQR(client, household.id))
    const heading = doc.createElement('h1')
    heading.textContent = household.head_name
    heading.style.cssText = 'font-size:28px;margin:24px 0 4px'
    const address = doc.createElement('p')
    address.textContent = household.address
    address.style.cssText = 'font-size:18px;margin:0 0 12px'
    const img = doc.createElement('img')
    img.alt = `${title} ${household.head_name}`
    img.style.cssText = 'width:80mm;height:80mm;image-rendering:pixelated'
    img.addEventListener('load', () => {
      w.focus()
      w.print()
    })
    w.addEventListener('pagehide', () => URL.revokeObjectURL(url))
    img.src = url
    doc.body.replaceChildren(heading, address, img)
  } catch (err) {
    w.close()
    throw err
  }
  return true
}
