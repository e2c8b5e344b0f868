/**
 * Vant's calendar (4.10) marks each month's days as a `grid` of `gridcell`s with no rows
 * between them (axe: aria-required-children, aria-required-parent, both critical), and leaves
 * the days out of the tab order. This mends the markup it renders without touching its
 * behaviour: each month whose days are rendered becomes a grid named by its title (the days'
 * names are their numbers, and 开始/结束 on the chosen ends) holding one row of days; each day
 * says whether it is chosen, is disabled when it cannot be chosen, and can be reached with Tab
 * and chosen with Enter or Space. Months render their days lazily and put placeholders back
 * when scrolled away, so the changes are made again, or undone, whenever the calendar renders.
 */

const CHOSEN = /^van-calendar__day--(start|middle|end|start-end|selected|multiple-selected|multiple-middle)$/

/** Works on the calendar rendered in root; answers a function that stops watching. */
export function mendCalendarA11y(root: HTMLElement): () => void {
  const apply = () => {
    for (const month of root.querySelectorAll<HTMLElement>('.van-calendar__month')) {
      const days = month.querySelector<HTMLElement>('.van-calendar__days')
      const rendered = !!days?.querySelector('[role="gridcell"]')
      if (rendered && days) {
        setAttr(month, 'role', 'grid')
        const title = month.querySelector('.van-calendar__month-title')?.textContent?.trim()
        if (title) setAttr(month, 'aria-label', title)
        setAttr(days, 'role', 'row')
      } else {
        removeAttrs(month, 'role', 'aria-label')
        // Vant's own role, while only placeholders are in it.
        if (days) setAttr(days, 'role', 'grid')
      }
      for (const cell of month.querySelectorAll<HTMLElement>('.van-calendar__day')) {
        if (cell.getAttribute('role') !== 'gridcell') {
          removeAttrs(cell, 'aria-selected', 'aria-disabled', 'tabindex')
          continue
        }
        if (cell.classList.contains('van-calendar__day--disabled')) {
          setAttr(cell, 'aria-disabled', 'true')
          cell.removeAttribute('tabindex')
        } else {
          cell.removeAttribute('aria-disabled')
          setAttr(cell, 'tabindex', '0')
        }
        setAttr(cell, 'aria-selected', String([...cell.classList].some((c) => CHOSEN.test(c))))
      }
    }
  }
  const observer = new MutationObserver(apply)
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['class', 'role'] })
  const onKey = (event: KeyboardEvent) => {
    const cell = (event.target as HTMLElement | null)?.closest?.('.van-calendar__day[role="gridcell"]')
    if (!cell || (event.key !== 'Enter' && event.key !== ' ')) return
    event.preventDefault()
    ;(cell as HTMLElement).click()
  }
  root.addEventListener('keydown', onKey)
  apply()
  return () => {
    observer.disconnect()
    root.removeEventListener('keydown', onKey)
  }
}

/** Sets an attribute only when it changes, so that the observer does not wake itself for nothing. */
function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value)
}

function removeAttrs(el: Element, ...names: string[]): void {
  for (const name of names) if (el.hasAttribute(name)) el.removeAttribute(name)
}
