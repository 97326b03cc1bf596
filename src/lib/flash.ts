// Post/redirect/get for Actions whose form lives on several pages (issue 18, item 4): the 303 goes
// back to the page the form was posted from, with a small "what happened" flag in the query string.

/** Query keys a previous flash may have left on the URL; dropped so flags never pile up. */
const FLASH_KEYS = ['_action', 'done', 'n', 'failed'];

/**
 * `{ redirect }` to the page this form was posted to (its path and query, without `_action` or an
 * earlier flash), with `flash` added to the query; `fallback` when the Action was called over
 * /_actions/ (no page to go back to). Only ever a local path: it is built from the request's own URL.
 * The `#flash` fragment scrolls a phone to the message (pages give it `id="flash"`).
 */
export function backHere(ctx: { url: URL }, flash: Record<string, string | number>, fallback: string, hash = '#flash'): { redirect: string } {
  const from = ctx.url;
  const base = from.pathname.startsWith('/_actions/') ? new URL(fallback, 'http://localhost') : new URL(from.pathname + from.search, 'http://localhost');
  for (const k of [...FLASH_KEYS, ...Object.keys(flash)]) base.searchParams.delete(k);
  for (const [k, v] of Object.entries(flash)) base.searchParams.set(k, String(v));
  return { redirect: base.pathname + base.search + hash };
}
