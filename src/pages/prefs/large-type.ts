// 适老化 toggle as a plain link: a display preference cookie, then back to the page (a local path only).
import type { APIRoute } from 'astro';
import { safeNext } from '../../lib/safe-next.ts';

export const GET: APIRoute = ({ url, cookies, redirect }) => {
  const on = url.searchParams.get('on') === '1';
  cookies.set('sx_large', on ? '1' : '0', { path: '/', maxAge: 365 * 86400, sameSite: 'lax', httpOnly: true });
  return redirect(safeNext(url.searchParams.get('next'), '/'), 303);
};
