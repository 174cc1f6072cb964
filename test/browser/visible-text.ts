// What a person reads on the page, and what in it is raw: an upper-case event name, a snake_case id
// or one of the engine's English messages. Any browser test can scan its page with it; the walk
// (walk.test.ts) scans every page in Vietnamese.
import type { Page } from 'playwright-core';

export interface Seen {
  /** Where it was read: the element's tag and test id, or the attribute. */
  where: string;
  text: string;
}

export interface RawFinding {
  kind: 'event' | 'snake' | 'english';
  match: string;
  where: string;
  text: string;
}

/** Upper-case event names (SUBMIT, VISIT_DONE) and the engine's status words it once showed as is. */
export const EVENT_NAME = /\b[A-Z]{2,}(?:_[A-Z0-9]+)+\b|\b(?:SUBMIT|REVIEW|DECIDE|REGISTER|APPROVE|RETURN|DUE)\b/g;
/** Ids of stages, tasks, fields and enum values (review_and_report, national_standard). */
export const SNAKE_ID = /\b[a-z]+(?:_[a-z0-9]+)+\b/g;
/** The engine's and the browser UI's English, which a Vietnamese page must never show. */
export const ENGLISH = [
  'is not possible yet',
  'does not accept',
  'must be one of',
  'is required',
  'is outside your units',
  'not found',
  'tasks not done',
  'wrong login or password',
  'running',
  'completed',
  'cancelled',
  'overdue',
  'Loading',
  'undefined',
  'null',
  '[object Object]',
  'NaN',
  'Invalid Date',
];

/** The UI's own English words, left untranslated in a label or tooltip (whole words, as written). */
export const ENGLISH_WORDS =
  /\b(?:Language|Close|Search|Cancel|Save|Submit|Next|Previous|Page|Delete|Edit|Open|Download|Upload|Menu|Loading|Error|Warning|Success|Unknown|Yes|No)\b/g;

/**
 * Text that is legitimately what it is, taken out before the scan. Each says why.
 */
const ALLOWED: { pattern: RegExp; why: string }[] = [
  // an e-mail address is the person's own, written as their mail server knows it
  { pattern: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, why: 'e-mail address' },
  // a legal document's number (17/2018/TT-BGDĐT) is cited as the ministry wrote it
  { pattern: /\b\d+\/\d{4}\/[\p{L}\d-]+/gu, why: 'legal document number' },
  // an error box's tooltip carries the refusal's code for whoever reports it (widgets.ts errorBox)
  { pattern: /^(?:Mã lỗi|Error code): [A-Z0-9_]+$/g, why: 'error code for support' },
];

/**
 * The visible text of the page: text nodes of rendered elements, the placeholder, title, aria-label
 * and alt of visible elements, the value of visible buttons, and every <option> of a visible select
 * (a closed list's options are what its reader chooses from). `exclude` are selectors whose inside is
 * not words for people (the YAML source in the editor).
 */
export async function visibleText(page: Page, exclude: readonly string[] = []): Promise<Seen[]> {
  // sent as source: tsx would wrap the named helpers in a __name() the page does not have
  return page.evaluate(`(${READ_PAGE})(${JSON.stringify(exclude)})`);
}

const READ_PAGE = `(exclude) => {
  const out = [];
  const skip = (el) => exclude.some((s) => el.closest(s));
  const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const name = (el) => el.tagName.toLowerCase() + (el.getAttribute('data-testid') ? '[' + el.getAttribute('data-testid') + ']' : '');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = node.textContent && node.textContent.trim();
    if (!parent || !text || ['SCRIPT', 'STYLE', 'OPTION', 'TEMPLATE'].includes(parent.tagName)) continue;
    if (skip(parent) || !shown(parent)) continue;
    out.push({ where: name(parent), text });
  }
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    if (skip(el) || !shown(el)) continue;
    for (const attr of ['placeholder', 'title', 'aria-label', 'alt', 'aria-description']) {
      const value = (el.getAttribute(attr) || '').trim();
      if (value) out.push({ where: name(el) + '@' + attr, text: value });
    }
    if (el instanceof HTMLInputElement && ['button', 'submit', 'reset'].includes(el.type) && el.value) out.push({ where: name(el) + '@value', text: el.value });
    if (el instanceof HTMLSelectElement)
      for (const option of Array.from(el.options)) if (option.text.trim()) out.push({ where: name(el) + '>option', text: option.text.trim() });
  }
  return out;
}`;

/** What in the text is raw: every match, with where it was read. */
export function rawFindings(seen: readonly Seen[]): RawFinding[] {
  const found: RawFinding[] = [];
  for (const { where, text } of seen) {
    const clean = ALLOWED.reduce((s, a) => s.replace(a.pattern, ' '), text);
    for (const m of clean.matchAll(EVENT_NAME)) found.push({ kind: 'event', match: m[0], where, text });
    for (const m of clean.matchAll(SNAKE_ID)) found.push({ kind: 'snake', match: m[0], where, text });
    for (const phrase of ENGLISH) if (clean.includes(phrase)) found.push({ kind: 'english', match: phrase, where, text });
    for (const m of clean.matchAll(ENGLISH_WORDS)) if (!ENGLISH.includes(m[0])) found.push({ kind: 'english', match: m[0], where, text });
  }
  return found;
}

/** Scans the page: its raw findings, ready for an assertion message. */
export async function scanPage(page: Page, exclude: readonly string[] = []): Promise<RawFinding[]> {
  return rawFindings(await visibleText(page, exclude));
}

export function describeFinding(f: RawFinding): string {
  const text = f.text.length > 120 ? `${f.text.slice(0, 117)}…` : f.text;
  return `${f.kind} "${f.match}" in ${f.where}: ${JSON.stringify(text)}`;
}
