// Session cookie → Astro.locals.user; 适老化 preference; security headers.
import './lib/zod-zh.ts';
import { defineMiddleware } from 'astro:middleware';
import { getActionContext } from 'astro:actions';
import { randomUUID } from 'node:crypto';
import { appDb } from './lib/db.ts';
import { config } from './lib/config.ts';
import { log, logs, redactPath } from './lib/log.ts';
import { SESSION_COOKIE, sessionCookieOptions, validateSessionToken } from './domain/accounts/sessions.ts';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

/**
 * Form-posted Actions run here so that a rejected form re-renders the same page
 * with a 4xx status and the user's input (locals.formData), instead of Astro's
 * default redirect-with-200. A handler may return { redirect: '/path' } to
 * redirect (303) after success. See docs/decisions/004-form-actions.md.
 */
async function runFormAction(ctx: Parameters<Parameters<typeof defineMiddleware>[0]>[0], next: () => Promise<Response>): Promise<Response> {
  ctx.locals.formData = null;
  ctx.locals.formResult = null;
  const { action, setActionResult, serializeActionResult } = getActionContext(ctx);
  if (action?.calledFrom !== 'form') return next();
  const result = await action.handler();
  const data = result.data as { redirect?: unknown } | undefined;
  if (!result.error && data && typeof data.redirect === 'string' && data.redirect.startsWith('/') && !data.redirect.startsWith('//')) {
    return ctx.redirect(data.redirect, 303);
  }
  // The page is rendered again: keep what the user typed (parsed only here, not on every success).
  // Small url-encoded forms come as bytes read by scripts/server.mjs; others (uploads) from a clone,
  // since the page may still Astro.rewrite(), which needs the request's body unread.
  try {
    ctx.locals.formData = ctx.locals.rawForm ? formDataOf(ctx.locals.rawForm) : await ctx.request.clone().formData();
  } catch {
    return new Response('请求格式不正确 / Bad request', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  // Needed even though pages read locals.formResult: Astro's own action step runs after this
  // middleware (inside next()) and would execute the action a second time if no result were set
  // (measured: every refused form ran twice; the login lock-out test would see 429 after 5 tries).
  setActionResult(action.name, serializeActionResult(result));
  // The same result for pages that read it through lib/forms.ts actionResult() — no second deserialisation.
  ctx.locals.formResult = { key: `?${new URLSearchParams({ _action: action.name })}`, result };
  const res = await next();
  if (!result.error) return res;
  // The page itself redirected (e.g. an anonymous post to a member page → /login?next=…): keep that, an
  // error status on an empty redirect body would leave the visitor on a blank page.
  if (res.status >= 300 && res.status < 400) return res;
  const status = (result.error as { status?: number }).status ?? 400;
  // Astro already answers with the action error's status (from setActionResult); re-wrap only if not.
  return res.status === status ? res : new Response(res.body, { status, headers: res.headers });
}

/** An url-encoded body (read once by scripts/server.mjs) as FormData, as Request.formData() would give it. */
function formDataOf(raw: Uint8Array): FormData {
  const form = new FormData();
  for (const [k, v] of new URLSearchParams(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'))) form.append(k, v);
  return form;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/i;

/** Non-form state-changing requests must come from our own origin (Astro's checkOrigin covers form types only). */
function crossSiteRefusal(request: Request, url: URL): Response | null {
  if (!UNSAFE.has(request.method)) return null;
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  const sameOrigin = origin ? origin === url.origin : site ? site === 'same-origin' || site === 'none' : false;
  if (sameOrigin) return null;
  const type = request.headers.get('content-type') ?? '';
  // Forms without Origin (old browsers) are left to Astro's check; anything else must prove its origin.
  if (!origin && !site && FORM_TYPES.test(type) && !/^text\/plain/i.test(type)) return null;
  return new Response('跨站请求被拒绝 / Cross-site request refused', { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

const ACTION_STATUS_TEXT: Record<number, string> = {
  404: '没有这个操作，请从页面上的表单提交',
  405: '请通过页面上的表单提交',
  413: '提交的内容过大',
  415: '提交格式不正确，请通过页面上的表单提交',
};

/** Astro answers some refused Action calls (wrong content type, unknown action) with an empty or English body: give them a Chinese message. */
async function explainActionRefusal(url: URL, res: Response): Promise<Response> {
  if (res.status < 400 || !url.pathname.startsWith('/_actions/')) return res;
  const text = (await res.clone().text()).trim();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  if (typeof body.message === 'string' && /\p{Script=Han}/u.test(body.message)) return res;
  if (body.fields && /\p{Script=Han}/u.test(JSON.stringify(body.fields))) return res;
  const message = ACTION_STATUS_TEXT[res.status] ?? '请求未被接受，请检查后重试';
  const headers = new Headers(res.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  headers.delete('Content-Length');
  return new Response(JSON.stringify({ type: 'AstroActionError', code: body.code ?? undefined, status: res.status, message }), { status: res.status, headers });
}

export const onRequest = defineMiddleware(async (ctx, next) => {
  const started = performance.now();
  ctx.locals.requestId = randomUUID();
  const refusal = crossSiteRefusal(ctx.request, ctx.url);
  if (refusal) {
    log('warn', 'cross-site request refused', { reqId: ctx.locals.requestId, method: ctx.request.method, route: redactPath(ctx.url.pathname) });
    return refusal;
  }
  ctx.locals.user = null;
  ctx.locals.session = null;
  ctx.locals.largeType = ctx.cookies.get('sx_large')?.value === '1';
  const token = ctx.cookies.get(SESSION_COOKIE)?.value;
  if (token) {
    const db = await appDb();
    const result = await validateSessionToken(db, token);
    if (result) {
      ctx.locals.user = result.user;
      ctx.locals.session = result.session;
      // Sliding expiry: the browser's copy moves with the database's (at most once a minute for staff).
      if (result.renewed) ctx.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(config().siteUrl, result.session.expiresAt));
    } else {
      ctx.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(config().siteUrl));
    }
  }
  const res = await explainActionRefusal(ctx.url, await runFormAction(ctx, next));
  const h = res.headers;
  if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', CSP);
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()');
  h.set('X-Frame-Options', 'DENY');
  if (config().siteUrl.startsWith('https:')) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  if (ctx.locals.user) h.set('Cache-Control', 'private, no-store');
  const refused = res.status === 401 || res.status === 403 || res.status === 429;
  const level = res.status >= 500 ? 'error' : refused ? 'warn' : 'info';
  if (logs(level)) {
    log(level, refused ? 'request refused' : 'request', {
      reqId: ctx.locals.requestId, userId: ctx.locals.user?.id ?? null, method: ctx.request.method,
      route: redactPath(ctx.url.pathname), status: res.status, ms: Math.round(performance.now() - started),
    });
  }
  return res;
});
