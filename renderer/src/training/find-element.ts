// Finds the controls the guided tour points at the way a person would: a button by the words
// on it, a field by its label, a navigation entry by its name. Other screens need no hooks for
// the tour; only elements that are actually on screen count. Names are matched in the active
// language: a predicate can compare with the catalogue's words.
const TOUR_ROOT = '[data-tour-ui]';

export type Matcher = string | RegExp | ((name: string) => boolean);

const nameOf = (el: Element): string => (el.getAttribute('aria-label') ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();

const matches = (text: string, wanted: Matcher): boolean => (typeof wanted === 'string' ? text === wanted : typeof wanted === 'function' ? wanted(text) : wanted.test(text));

/** Rendered, not hidden, and not part of the tour itself. */
export function isShown(el: Element | null): el is HTMLElement {
  if (!(el instanceof HTMLElement) || el.closest(TOUR_ROOT)) return false;
  if (el.closest('[hidden], [inert]')) return false;
  return el.getClientRects().length > 0;
}

const first = (list: Iterable<Element>, accept: (el: Element) => boolean): HTMLElement | null => {
  for (const el of list) if (isShown(el) && accept(el)) return el;
  return null;
};

export const byTestId = (id: string) => (): HTMLElement | null => first(document.querySelectorAll(`[data-testid="${CSS.escape(id)}"]`), () => true);

export const bySelector = (selector: string) => (): HTMLElement | null => first(document.querySelectorAll(selector), () => true);

export const button = (name: Matcher, within = 'main') => (): HTMLElement | null =>
  first(document.querySelectorAll(`${within} button`), (el) => matches(nameOf(el), name));

/** An entry of the main navigation in the top bar. */
export const navItem = (name: Matcher) => button(name, '.app-bar nav');

/** The control a visible label names, e.g. the Caption text box. */
export const field = (label: Matcher) => (): HTMLElement | null => {
  for (const l of document.querySelectorAll('main label')) {
    const words = l.querySelector(':scope > span')?.textContent?.trim();
    if (words === undefined || !matches(words, label)) continue;
    const control = l.querySelector('input, textarea, select');
    if (isShown(control)) return control;
  }
  return null;
};

/** The first finder that finds something on screen now. */
export function firstFound(finders: readonly (() => HTMLElement | null)[]): { el: HTMLElement; index: number } | null {
  for (const [index, find] of finders.entries()) {
    const el = find();
    if (el) return { el, index };
  }
  return null;
}
