// Chinese bodies for Astro's own refusals of /_actions/* (wrong content type, unknown action).
import type { MiddlewareHandler } from 'astro';
import { parseJsonOr } from '../lib/json.ts';

export const ACTION_STATUS_TEXT: Record<number, string> = {
  404: '没有这个操作，请从页面上的表单提交',
  405: '请通过页面上的表单提交',
  413: '提交的内容过大',
  415: '提交格式不正确，请通过页面上的表单提交',
};

/** Astro answers some refused Action calls with an empty or English body: give them a Chinese message. */
async function explainActionRefusal(url: URL, res: Response): Promise<Response> {
  if (res.status < 400 || !url.pathname.startsWith('/_actions/')) return res;
  const text = (await res.clone().text()).trim();
  const body = parseJsonOr<Record<string, unknown>>(text, {});
  if (typeof body.message === 'string' && /\p{Script=Han}/u.test(body.message)) return res;
  if (body.fields && /\p{Script=Han}/u.test(JSON.stringify(body.fields))) return res;
  const message = ACTION_STATUS_TEXT[res.status] ?? '请求未被接受，请检查后重试';
  const headers = new Headers(res.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  headers.delete('Content-Length');
  return new Response(JSON.stringify({ type: 'AstroActionError', code: body.code ?? undefined, status: res.status, message }), { status: res.status, headers });
}

/** Rewrites an English or empty refusal of an RPC Action call into a Chinese JSON message. */
export const explainActionRefusals: MiddlewareHandler = async (ctx, next) => explainActionRefusal(ctx.url, await next());
