// The process diagram. Mermaid is large, so it is loaded on first use only. The SVG it returns is
// shown as an image (a data: URL), never inserted as markup: whatever a stage title contains, it
// cannot run in the page.
import { h, replace } from '../dom.ts';
import { t } from '../i18n.ts';

type Mermaid = (typeof import('mermaid'))['default'];
let loading: Promise<Mermaid> | null = null;
let seq = 0;

function mermaid(): Promise<Mermaid> {
  loading ??= import('mermaid').then(({ default: m }) => {
    m.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: 'neutral',
      fontFamily: 'system-ui, "Segoe UI", Roboto, Arial, sans-serif',
      // labels as SVG text, so the image needs no HTML inside it
      htmlLabels: false,
      flowchart: { htmlLabels: false },
      state: { useMaxWidth: false },
    });
    return m;
  });
  return loading;
}

/** Draws `source` into `target`; a later call wins over an earlier one still rendering. */
export async function renderDiagram(target: HTMLElement, source: string): Promise<void> {
  const mine = ++seq;
  try {
    const m = await mermaid();
    const { svg } = await m.render(`tiendo-diagram-${mine}`, source);
    if (mine !== seq) return;
    const img = h('img', {
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
      alt: t('diagram'),
      title: t('zoomDiagram'),
      'data-testid': 'diagram-image',
      onclick: () => target.classList.toggle('zoomed'),
    });
    replace(target, img);
  } catch (e) {
    if (mine !== seq) return;
    replace(target, h('p', { class: 'alert alert-error', 'data-testid': 'diagram-error' }, `${t('diagramFailed')}: ${(e as Error).message ?? String(e)}`));
  }
}
