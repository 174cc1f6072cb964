// Hash routing. Each page renders into the main element and gets a context whose timers and
// listeners end when the user navigates away (or the language changes and the page is redrawn).
import type { Role } from './types.ts';

export interface PageCtx {
  /** The element the page owns. */
  root: HTMLElement;
  /** The route's captured parts, decoded. */
  params: string[];
  /** Aborted when the page is left. */
  signal: AbortSignal;
  /** setInterval that stops when the page is left. */
  every(ms: number, fn: () => void | Promise<void>): void;
  /** A message left by the previous page ("task completed"), shown once. */
  flash: string | null;
}

export type Page = (ctx: PageCtx) => void | Promise<void>;

export interface Route {
  pattern: RegExp;
  /** Loaded on first use: the definitions editor brings CodeMirror, which the other pages do not need. */
  load: () => Promise<Page>;
  /** Who may open it; none = any signed-in user. */
  roles?: Role[];
  /** Open without a session (the login page). */
  public?: boolean;
}

let pendingFlash: string | null = null;

/** Leaves a message for the next page rendered. */
export function flash(message: string): void {
  pendingFlash = message;
}

export function takeFlash(): string | null {
  const f = pendingFlash;
  pendingFlash = null;
  return f;
}

export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function match(routes: Route[], hash: string): { route: Route; params: string[] } | null {
  const path = hash.replace(/^#/, '') || '/';
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
  }
  return null;
}

export function makeCtx(root: HTMLElement, params: string[]): { ctx: PageCtx; stop: () => void } {
  const controller = new AbortController();
  const timers: number[] = [];
  const ctx: PageCtx = {
    root,
    params,
    signal: controller.signal,
    flash: takeFlash(),
    every(ms, fn) {
      timers.push(
        window.setInterval(() => {
          if (!controller.signal.aborted) void Promise.resolve(fn()).catch(() => {});
        }, ms),
      );
    },
  };
  return {
    ctx,
    stop: () => {
      controller.abort();
      timers.forEach((id) => window.clearInterval(id));
    },
  };
}
