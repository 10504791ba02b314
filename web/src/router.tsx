/**
 * History-API routing in a few lines: paths are real URLs (the server answers every page path with
 * index.html), so a link from a notice, a reload or a bookmark opens the same page.
 */
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  query: URLSearchParams;
}

const EVENT = 'portal:navigate';

function current(): Location {
  const path = location.pathname.length > 1 ? location.pathname.replace(/\/+$/, '') : '/';
  return { path, query: new URLSearchParams(location.search) };
}

/** Forms holding typed work not yet sent (see `useUnsavedWork`). */
const unsaved = new Set<symbol>();
const LEAVE_UNSAVED = 'Leave this page? What you typed here has not been sent and will be lost.';

/**
 * While `dirty`, leaving the page asks first: a reload or a closed tab (the browser's own
 * question), a link inside the portal, and the browser's Back and Forward. A form that sent its
 * work navigates with `force`.
 */
export function useUnsavedWork(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return undefined;
    const token = Symbol('unsaved');
    unsaved.add(token);
    const ask = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', ask);
    return () => {
      unsaved.delete(token);
      window.removeEventListener('beforeunload', ask);
    };
  }, [dirty]);
}

// Back and Forward cannot be stopped, only undone: by the time `popstate` arrives the address has
// changed. So each entry of the portal's history carries its place (`at`), and a person who stays
// is taken back by the same number of steps (a long press on Back may have jumped several).
interface Entry {
  at: number;
}
const placeOf = (state: unknown): number | undefined => {
  const at = (state as Partial<Entry> | null)?.at;
  return typeof at === 'number' ? at : undefined;
};
const here = () => location.pathname + location.search;
/** The place of the entry shown; a reload keeps it (the browser keeps each entry's state). */
let at = placeOf(history.state) ?? 0;
/** The page shown: an entry that differs in its fragment only (`#main`) is the same page. */
let shown = here();
/** The place a refused Back or Forward is being undone to: that `popstate` is not a navigation. */
let returningTo: number | undefined;
history.replaceState({ at } satisfies Entry, '');

/** A fragment link (the skip link, the portfolio's stages) adds an entry of its own: it gets the next place. */
const stampFragmentEntry = () => {
  if (placeOf(history.state) !== undefined) return;
  at += 1;
  history.replaceState({ at } satisfies Entry, '');
};

window.addEventListener('hashchange', stampFragmentEntry);
window.addEventListener('popstate', (e) => {
  let to = placeOf(e.state);
  if (returningTo !== undefined) {
    const undone = to === returningTo;
    returningTo = undefined;
    if (undone) return;
  }
  if (to === undefined) {
    stampFragmentEntry();
    to = at;
  }
  if (here() === shown) {
    at = to; // only the fragment moved: the same page
    return;
  }
  if (unsaved.size > 0 && to !== at && !window.confirm(LEAVE_UNSAVED)) {
    // Staying: back to the entry the form is on; nothing re-renders meanwhile, so what was typed stays.
    returningTo = at;
    history.go(at - to);
    return;
  }
  at = to;
  shown = here();
  window.dispatchEvent(new Event(EVENT));
});

/** `replace`: the same page in another state (filters, a sign-in redirect): never asks. */
export function navigate(to: string, options: { replace?: boolean; force?: boolean } = {}): void {
  if (to === here()) return;
  if (unsaved.size > 0 && !options.replace && !options.force && !window.confirm(LEAVE_UNSAVED)) return;
  if (options.replace) {
    history.replaceState({ at } satisfies Entry, '', to);
  } else {
    at += 1;
    history.pushState({ at } satisfies Entry, '', to);
  }
  shown = here();
  window.dispatchEvent(new Event(EVENT));
}

/** The page shown: changes on `navigate` and on Back and Forward once they are not refused. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    window.addEventListener(EVENT, update);
    return () => window.removeEventListener(EVENT, update);
  }, []);
  return loc;
}

/** `/projects/:id` against `/projects/p-123` → `{ id: 'p-123' }`; undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (!got[i]) return undefined;
      // A malformed escape (`%E0`) matches nothing rather than breaking the page.
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return undefined;
      }
    } else if (want[i] !== got[i]) {
      return undefined;
    }
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An ordinary link (open in a new tab works) that navigates in place on a plain click. */
export function Link({ href, children, onClick, ...rest }: LinkProps) {
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        if (onClick) (onClick as (ev: MouseEvent) => void)(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || rest.target) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
