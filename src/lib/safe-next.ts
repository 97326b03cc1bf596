// The one safe-redirect function: every `next`-style value (login's ?next=, the 大字模式 toggle, an
// Action's { redirect }) goes through it, so only same-site paths are ever followed (issue 15, item 3).

/**
 * `raw` as a local path (`/…`, never `//…`, `/\…`, a scheme, or anything with control characters,
 * backslashes or spaces a browser would strip), percent-encoded so it is a valid Location header;
 * otherwise the fallback.
 */
export function safeNext(raw: string | null | undefined, fallback = '/me'): string {
  if (!raw || raw.length > 500) return fallback;
  // Browsers drop tab/CR/LF and treat "\" as "/" before resolving: "/\t/evil" and "/\evil" are //evil.
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//')) return fallback;
  try {
    const u = new URL(raw, 'http://localhost');
    if (u.origin !== 'http://localhost') return fallback;
    const path = u.pathname + u.search + u.hash;
    // The normalised path must still be local ("/./%2F/x" stays a path; never "//host").
    return path.startsWith('/') && !path.startsWith('//') ? path : fallback;
  } catch {
    return fallback;
  }
}
