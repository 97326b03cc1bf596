// 适老化 toggle as a plain link: a display preference cookie, then back to the page.
import type { APIRoute } from 'astro';

export const GET: APIRoute = ({ url, cookies, redirect }) => {
  const on = url.searchParams.get('on') === '1';
  const next = url.searchParams.get('next') ?? '/';
  const safeNext = next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
  cookies.set('sx_large', on ? '1' : '0', { path: '/', maxAge: 365 * 86400, sameSite: 'lax', httpOnly: true });
  return redirect(safeNext, 303);
};
