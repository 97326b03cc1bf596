// Where to go after login: only same-site paths, never another origin.

/** `raw` when it is a local path (/…, not //… or /\…), else the fallback. */
export function safeNext(raw: string | null | undefined, fallback = '/me'): string {
  if (!raw || raw.length > 500) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  try {
    const u = new URL(raw, 'http://localhost');
    if (u.origin !== 'http://localhost') return fallback;
    return u.pathname + u.search + u.hash;
  } catch {
    return fallback;
  }
}
