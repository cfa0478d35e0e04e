/**
 * Hash routing: every view is a shareable link, and MLflow's UI addresses (`#/experiments/<id>/runs/<run>`,
 * `#/models/<name>/versions/<v>`, `#/compare-runs?runs=[…]`) open the matching page.
 */
import { useSyncExternalStore } from 'react';

export interface Route {
  /** Path segments after `#/`, decoded. */
  segments: string[];
  query: URLSearchParams;
  /** The raw hash, for memo keys. */
  hash: string;
}

function currentHash(): string {
  return typeof window === 'undefined' ? '' : window.location.hash;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const qi = h.indexOf('?');
  const path = qi >= 0 ? h.slice(0, qi) : h;
  const query = new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '');
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query, hash };
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash, () => '');
  return parseHashCached(hash);
}

let lastHash: string | undefined;
let lastRoute: Route | undefined;
function parseHashCached(hash: string): Route {
  if (hash !== lastHash || !lastRoute) {
    lastHash = hash;
    lastRoute = parseHash(hash);
  }
  return lastRoute;
}

/** Builds `#/a/b?x=1` from segments and query (empty values dropped). */
export function href(segments: (string | number)[], query?: Record<string, string | undefined | null> | URLSearchParams): string {
  const path = segments.map((s) => encodeURIComponent(String(s))).join('/');
  let q = '';
  if (query) {
    const p = new URLSearchParams();
    const entries = query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query);
    for (const [k, v] of entries) if (v !== undefined && v !== null && v !== '') p.set(k, v);
    const s = p.toString();
    if (s) q = `?${s}`;
  }
  return `#/${path}${q}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) {
    const url = new URL(window.location.href);
    url.hash = to;
    window.history.replaceState(null, '', url);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = to;
  }
}

/** Replaces some query parameters of the current route (keeps the path). */
export function setQuery(route: Route, changes: Record<string, string | undefined | null>, replace = true): void {
  const q = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '') q.delete(k);
    else q.set(k, v);
  }
  navigate(href(route.segments, q), replace);
}

/** MLflow's compare links carry JSON arrays: `runs=["a","b"]`. Accepts that or a comma list. */
export function parseIdList(v: string | null): string[] {
  if (!v) return [];
  const t = v.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr)) return arr.map(String).filter(Boolean);
    } catch {
      /* fall through */
    }
  }
  return t.split(',').map((s) => s.trim()).filter(Boolean);
}
