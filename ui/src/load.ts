// A page that fails while loading must not leave "Đang tải…" above (or beside) its error: the
// placeholder says work is under way, and nothing is. Pages put loading() wherever their data goes
// and let a failed request throw; main.ts shows the error through pageFailed(), which takes every
// placeholder of the page away first.
import { t } from './i18n.ts';
import { errorBox } from './widgets.ts';

/** loading() (widgets.ts) draws a status paragraph saying t('loading'); it carries no mark of its
 * own, so it is known by role and words. */
function isPlaceholder(el: Element): boolean {
  return el.getAttribute('role') === 'status' && el.textContent?.trim() === t('loading');
}

/** Removes every loading placeholder under `root` (an emptied table cell goes with its row). */
export function clearLoading(root: ParentNode): void {
  for (const el of [...root.querySelectorAll('[role="status"]')]) {
    if (!isPlaceholder(el)) continue;
    const row = el.closest('tr');
    (row && root instanceof Node && root.contains(row) ? row : el).remove();
  }
}

/** The error of a page that threw, in place of what was still loading. */
export function pageFailed(root: HTMLElement, e: unknown): void {
  clearLoading(root);
  root.appendChild(errorBox(e));
}
