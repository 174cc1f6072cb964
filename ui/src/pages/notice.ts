// A problem the page finds itself before sending anything (a reason too short, no date picked):
// shown like the server's refusals, in the user's words.
import { h } from '../dom.ts';
import { t } from '../i18n.ts';

export function problem(message: string, testid: string): HTMLElement {
  return h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': testid }, h('strong', null, `${t('errorPrefix')}: `), message);
}
