// A tiny history router: the server answers every non-API path with index.html, so real paths work.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
const subscribe = (fn: () => void) => {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
};

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const fn of listeners) fn();
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search);
  const url = new URL(href, location.origin);
  // `/runs/` is `/runs`: a trailing slash (typed, or from a link that added one) is not another page.
  return { path: url.pathname.replace(/\/+$/, '') || '/', query: url.searchParams };
}

/** The `:name` segments of a route pattern, as a union of names (`'/lookups/:scope/:name'` → `'scope' | 'name'`). */
type ParamNames<P extends string> = P extends `${string}:${infer K}/${infer Rest}` ? K | ParamNames<Rest> : P extends `${string}:${infer K}` ? K : never;

/** Matches `/flows/:id` style patterns; returns the decoded params (typed from the pattern) or null. */
export function match<P extends string>(pattern: P, path: string): Record<ParamNames<P>, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (const [i, seg] of p.entries()) {
    const got = s[i]!; // p and s have the same length
    if (seg.startsWith(':')) out[seg.slice(1)] = decodeURIComponent(got);
    else if (seg !== got) return null;
  }
  return out as Record<ParamNames<P>, string>;
}
