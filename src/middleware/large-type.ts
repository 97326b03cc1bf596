// The 大字模式 (适老化) preference, a cookie set by /prefs/large-type; the page cache keys on it too.
import type { MiddlewareHandler } from 'astro';

/** locals.largeType from the `sx_large` cookie. */
export const largeType: MiddlewareHandler = (ctx, next) => {
  ctx.locals.largeType = ctx.cookies.get('sx_large')?.value === '1';
  return next();
};
