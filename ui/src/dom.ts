// The only way the UI builds DOM: elements with attributes and children, where every string child
// becomes a text node. Nothing here ever assigns innerHTML, so a unit called `<img src=x onerror=…>`
// shows as those characters.

export type Child = Node | string | number | null | undefined | false | Child[];
type Listener = (ev: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;

/**
 * `h('a', { href: '#/tasks', 'data-testid': 'x' }, 'text', child)`. Attributes named `on<event>` that
 * hold a function become listeners; `true` sets a boolean attribute, `false`/null/undefined skip it.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else if (name === 'checked' && el instanceof HTMLInputElement) el.checked = Boolean(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (strings as text nodes, arrays flattened, empty values skipped). */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** A table with a header row; `rows` are lists of cells (strings or nodes). */
export function table(testid: string, headers: string[], rows: Child[][], rowAttrs?: (i: number) => Attrs): HTMLTableElement {
  return h(
    'table',
    { 'data-testid': testid },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headers.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((cells, i) =>
        h(
          'tr',
          rowAttrs?.(i) ?? null,
          cells.map((c) => h('td', null, c)),
        ),
      ),
    ),
  );
}
