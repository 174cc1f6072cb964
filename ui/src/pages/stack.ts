// Tables that become stacked cards on a phone (ui/styles.css, `table.stack` under 600 px): each cell
// is labelled with its column's heading, so a card still says what each line is.

/** Marks the tables under `root` (but those meant to scroll sideways) to stack, labelling their cells. */
export function stackTables(root: ParentNode): void {
  for (const table of Array.from(root.querySelectorAll('table'))) {
    if (table.closest('.table-scroll') || table.classList.contains('calendar')) continue;
    table.classList.add('stack');
    const heads = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent ?? '');
    for (const row of Array.from(table.querySelectorAll('tbody tr')))
      Array.from(row.children).forEach((td, i) => {
        if (!td.hasAttribute('data-label') && heads[i]) td.setAttribute('data-label', heads[i]!);
      });
  }
}
