// The 大字模式 (适老化) preference, a cookie set by /prefs/large-type; the page cache keys on it too.
import { defineMiddleware } from 'astro:middleware';

/** locals.largeType from the `sx_large` cookie. */
export const largeType = defineMiddleware((ctx, next) => {
  ctx.locals.largeType = ctx.cookies.get('sx_large')?.value === '1';
  return next();
});
