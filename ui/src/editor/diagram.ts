// The process diagram. Mermaid is large, so it is loaded on first use only. The SVG it returns is
// shown as an image (a data: URL), never inserted as markup: whatever a stage title contains, it
// cannot run in the page.
//
// A process of thirty stages drawn to the width of a side column had 5 px labels. So the image is
// drawn at its natural size (mermaid's 16 px labels) inside a viewport one pans by dragging (or with
// the arrow keys), with zoom buttons, "fit" and full screen; the view survives a redraw, so typing
// in the editor does not throw the reader back to the top-left corner.
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
      flowchart: { htmlLabels: false, useMaxWidth: false },
      state: { useMaxWidth: false },
    });
    return m;
  });
  return loading;
}

const MIN_SCALE = 0.1;
const MAX_SCALE = 4;
const STEP = 1.25;
const PAN_KEY_STEP = 60;

/** Zoom, pan and full screen over one image; kept per target across redraws. */
class Viewer {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly fullButton: HTMLButtonElement;
  private readonly zoomLabel: HTMLElement;
  private img: HTMLImageElement | null = null;
  private size = { width: 0, height: 0 };
  private scale = 1;
  private x = 0;
  private y = 0;
  /** Until the reader moves the view, a new drawing starts at natural size, top-left. */
  private touched = false;
  private overlay = false;

  constructor() {
    // The accessible name starts from the visible words (WCAG 2.5.3), so speech users can say them.
    const button = (testid: string, label: string, text: string, onclick: () => void): HTMLButtonElement =>
      h('button', { type: 'button', class: 'small', 'data-testid': testid, 'aria-label': label, title: label, onclick }, text);
    this.zoomLabel = h('span', { class: 'muted diagram-scale', 'data-testid': 'diagram-zoom-level', 'aria-live': 'polite' }, '100%');
    this.fullButton = button('diagram-fullscreen', t('ed_fullscreen'), t('ed_fullscreenShort'), () => void this.toggleFullscreen());
    this.viewport = h('div', {
      class: 'diagram-viewport',
      'data-testid': 'diagram-viewport',
      'data-scale': '1',
      tabindex: 0,
      role: 'group',
      'aria-label': t('ed_diagramViewport'),
    });
    this.element = h(
      'div',
      { class: 'diagram-viewer', 'data-testid': 'diagram-viewer' },
      h(
        'div',
        { class: 'diagram-tools', role: 'toolbar', 'aria-label': t('ed_diagramTools') },
        button('diagram-zoom-out', t('ed_zoomOut'), '−', () => this.zoomBy(1 / STEP)),
        this.zoomLabel,
        button('diagram-zoom-in', t('ed_zoomIn'), '+', () => this.zoomBy(STEP)),
        button('diagram-zoom-reset', t('ed_zoomReset'), t('ed_zoomResetShort'), () => this.reset()),
        button('diagram-fit', t('ed_zoomFit'), t('ed_zoomFitShort'), () => this.fit()),
        this.fullButton,
      ),
      this.viewport,
      h('p', { class: 'muted diagram-help' }, t('ed_diagramHelp')),
    );
    this.listen();
  }

  show(img: HTMLImageElement, width: number, height: number): void {
    this.img = img;
    this.size = { width, height };
    replace(this.viewport, img);
    if (!this.touched) this.home();
    else this.apply();
  }

  private listen(): void {
    let drag: { id: number; x: number; y: number } | null = null;
    this.viewport.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX - this.x, y: e.clientY - this.y };
      this.viewport.setPointerCapture?.(e.pointerId);
      this.viewport.classList.add('dragging');
    });
    this.viewport.addEventListener('pointermove', (e) => {
      if (!drag || drag.id !== e.pointerId) return;
      this.moveTo(e.clientX - drag.x, e.clientY - drag.y);
    });
    const end = (e: PointerEvent) => {
      if (!drag || drag.id !== e.pointerId) return;
      drag = null;
      this.viewport.classList.remove('dragging');
    };
    this.viewport.addEventListener('pointerup', end);
    this.viewport.addEventListener('pointercancel', end);
    // Ctrl + wheel (and a trackpad pinch, which browsers send as one) zooms at the pointer; a plain
    // wheel keeps scrolling the page.
    this.viewport.addEventListener(
      'wheel',
      (e) => {
        if (!e.ctrlKey) return;
        e.preventDefault();
        const box = this.viewport.getBoundingClientRect();
        this.zoomBy(e.deltaY < 0 ? STEP : 1 / STEP, { x: e.clientX - box.left, y: e.clientY - box.top });
      },
      { passive: false },
    );
    this.viewport.addEventListener('keydown', (e) => {
      const moves: Record<string, [number, number]> = {
        ArrowLeft: [PAN_KEY_STEP, 0],
        ArrowRight: [-PAN_KEY_STEP, 0],
        ArrowUp: [0, PAN_KEY_STEP],
        ArrowDown: [0, -PAN_KEY_STEP],
      };
      const move = moves[e.key];
      if (move) this.moveTo(this.x + move[0], this.y + move[1]);
      else if (e.key === '+' || e.key === '=') this.zoomBy(STEP);
      else if (e.key === '-') this.zoomBy(1 / STEP);
      else if (e.key === '0') this.reset();
      else if (e.key === 'Escape' && this.overlay) this.setOverlay(false);
      else return;
      e.preventDefault();
    });
    document.addEventListener('fullscreenchange', () => {
      const on = document.fullscreenElement === this.element;
      this.element.classList.toggle('fullscreen', on || this.overlay);
      this.labelFullscreen(on || this.overlay);
    });
  }

  /** Zooms about a point of the viewport (its centre when none is given), keeping that point still. */
  private zoomBy(factor: number, at?: { x: number; y: number }): void {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    const p = at ?? { x: this.viewport.clientWidth / 2, y: this.viewport.clientHeight / 2 };
    const ratio = next / this.scale;
    this.touched = true;
    this.scale = next;
    this.moveTo(p.x - (p.x - this.x) * ratio, p.y - (p.y - this.y) * ratio);
  }

  private reset(): void {
    this.touched = false;
    this.home();
  }

  /** Natural size, the top of the drawing centred across: mermaid puts the start there. */
  private home(): void {
    this.scale = 1;
    this.x = (this.viewport.clientWidth - this.size.width) / 2;
    this.y = Math.max(0, (this.viewport.clientHeight - this.size.height) / 2);
    this.apply();
  }

  /** The whole drawing in the viewport (never larger than natural size), centred. */
  private fit(): void {
    const { width, height } = this.size;
    const vw = this.viewport.clientWidth;
    const vh = this.viewport.clientHeight;
    if (!width || !height || !vw || !vh) return;
    this.touched = true;
    this.scale = Math.max(MIN_SCALE, Math.min(1, vw / width, vh / height));
    this.x = (vw - width * this.scale) / 2;
    this.y = (vh - height * this.scale) / 2;
    this.apply();
  }

  /** Moves the drawing, keeping at least a corner of it in view. */
  private moveTo(x: number, y: number): void {
    const w = this.size.width * this.scale;
    const hgt = this.size.height * this.scale;
    const vw = this.viewport.clientWidth;
    const vh = this.viewport.clientHeight;
    const keep = 40;
    this.touched = true;
    this.x = Math.min(vw - keep, Math.max(keep - w, x));
    this.y = Math.min(vh - keep, Math.max(keep - hgt, y));
    this.apply();
  }

  private apply(): void {
    if (this.img) this.img.style.transform = `translate(${Math.round(this.x)}px, ${Math.round(this.y)}px) scale(${this.scale})`;
    const percent = `${Math.round(this.scale * 100)}%`;
    this.zoomLabel.textContent = percent;
    this.viewport.dataset.scale = String(Math.round(this.scale * 1000) / 1000);
  }

  private async toggleFullscreen(): Promise<void> {
    if (document.fullscreenElement === this.element) return void (await document.exitFullscreen().catch(() => {}));
    if (this.overlay) return this.setOverlay(false);
    if (this.element.requestFullscreen && document.fullscreenEnabled) {
      try {
        await this.element.requestFullscreen();
        return;
      } catch {
        // refused (an iframe without allowfullscreen, a kiosk browser): the overlay instead
      }
    }
    this.setOverlay(true);
  }

  /** The fallback: the viewer as a fixed layer over the page, closed by the same button or Escape. */
  private setOverlay(on: boolean): void {
    this.overlay = on;
    this.element.classList.toggle('diagram-overlay', on);
    this.element.classList.toggle('fullscreen', on);
    this.labelFullscreen(on);
    if (on) this.viewport.focus();
  }

  private labelFullscreen(on: boolean): void {
    const label = on ? t('ed_exitFullscreen') : t('ed_fullscreen');
    this.fullButton.setAttribute('aria-label', label);
    this.fullButton.title = label;
    this.fullButton.setAttribute('aria-pressed', String(on));
  }
}

const viewers = new WeakMap<HTMLElement, Viewer>();

/** The drawing's natural size, from the SVG mermaid returns (its viewBox, else width and height). */
function svgSize(svg: string): { width: number; height: number } {
  const box = /viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"/.exec(svg);
  if (box) return { width: Number(box[1]), height: Number(box[2]) };
  const w = /<svg[^>]*\swidth="([\d.]+)(?:px)?"/.exec(svg);
  const hgt = /<svg[^>]*\sheight="([\d.]+)(?:px)?"/.exec(svg);
  return { width: Number(w?.[1] ?? 800), height: Number(hgt?.[1] ?? 600) };
}

/** Draws `source` into `target`; a later call wins over an earlier one still rendering. */
export async function renderDiagram(target: HTMLElement, source: string): Promise<void> {
  const mine = ++seq;
  try {
    const m = await mermaid();
    const { svg } = await m.render(`tiendo-diagram-${mine}`, source);
    if (mine !== seq) return;
    const { width, height } = svgSize(svg);
    const img = h('img', {
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
      alt: t('diagram'),
      width: Math.ceil(width),
      height: Math.ceil(height),
      draggable: 'false',
      'data-testid': 'diagram-image',
    });
    let viewer = viewers.get(target);
    if (!viewer || !target.contains(viewer.element)) {
      viewer = new Viewer();
      viewers.set(target, viewer);
      replace(target, viewer.element);
    }
    viewer.show(img, width, height);
  } catch (e) {
    if (mine !== seq) return;
    viewers.delete(target);
    replace(target, h('p', { class: 'alert alert-error', 'data-testid': 'diagram-error' }, `${t('diagramFailed')}: ${(e as Error).message ?? String(e)}`));
  }
}
