// Session cookie → Astro.locals.user; 适老化 preference; security headers.
import './lib/zod-zh.ts';
import { defineMiddleware } from 'astro:middleware';
import { ActionError, getActionContext } from 'astro:actions';
import type { APIContext } from 'astro';
import { server } from './actions/index.ts';
import { randomUUID } from 'node:crypto';
import { appDb } from './lib/db.ts';
import { config } from './lib/config.ts';
import { log, logs, redactPath } from './lib/log.ts';
import { SESSION_COOKIE, sessionCookieOptions, validateSessionToken } from './domain/accounts/sessions.ts';
import { safeNext } from './lib/safe-next.ts';
import { parseJsonOr } from './lib/json.ts';

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
async function runFormAction(ctx: APIContext, next: () => Promise<Response>): Promise<Response> {
  ctx.locals.formData = null;
  ctx.locals.formResult = null;
  const { action, setActionResult, serializeActionResult } = getActionContext(ctx);
  if (action?.calledFrom === 'rpc' && !serverAction(action.name)) {
    // POST /_actions/<namespace>: Astro's own route would throw a TypeError (a 500).
    return new Response(JSON.stringify({ type: 'AstroActionError', code: 'NOT_FOUND', status: 404, message: ACTION_STATUS_TEXT[404] }), { status: 404, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  }
  if (action?.calledFrom !== 'form') return next();
  // Small url-encoded forms (every form but uploads) come as bytes read by scripts/server.mjs: parsed
  // once here, the action is called with them (Astro's handler would clone the request and parse it
  // again), and the same FormData is what a re-rendered page shows back.
  // A name that is no action (`accounts`, `__proto__.x`) is NOT_FOUND here: Astro's own handler
  // throws a TypeError (a 500) for a name that resolves to a namespace.
  const target = serverAction(action.name);
  const form = ctx.locals.rawForm ? formDataOf(ctx.locals.rawForm) : null;
  const result = !target ? { data: undefined, error: new ActionError({ code: 'NOT_FOUND' }) }
    : form ? await ctx.callAction(target, form) : await action.handler();
  const data = result.data as { redirect?: unknown } | undefined;
  const to = !result.error && data && typeof data.redirect === 'string' ? safeNext(data.redirect, '') : '';
  if (to) return ctx.redirect(to, 303);
  // The page is rendered again: keep what the user typed (parsed only here, not on every success).
  // Other forms (uploads) are read from a clone, since the page may still Astro.rewrite(), which
  // needs the request's body unread.
  try {
    ctx.locals.formData = form ?? await ctx.request.clone().formData();
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

const FORBIDDEN_ACTION_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The action a form names (`events.signUp`), resolved in our actions module the way Astro does
 * (own properties only, URI-decoded keys) — or undefined when the name is no action. Called through
 * Astro's public `callAction` with an already parsed form, it validates and answers { data, error }
 * exactly as Astro's handler, without re-reading the body or copying the request context
 * (docs/decisions/074).
 */
function serverAction(name: string): Parameters<APIContext['callAction']>[0] | undefined {
  let target: unknown = server;
  for (const key of name.split('.')) {
    let k: string;
    try {
      k = decodeURIComponent(key);
    } catch {
      return undefined;
    }
    if (FORBIDDEN_ACTION_KEYS.has(k) || typeof target !== 'object' || target === null || !Object.hasOwn(target, k)) return undefined;
    target = (target as Record<string, unknown>)[k];
  }
  return typeof target === 'function' ? (target as Parameters<APIContext['callAction']>[0]) : undefined;
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
  const body = parseJsonOr<Record<string, unknown>>(text, {});
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
  ctx.locals.unread = 0;
  ctx.locals.largeType = ctx.cookies.get('sx_large')?.value === '1';
  const token = ctx.cookies.get(SESSION_COOKIE)?.value;
  if (token) {
    const db = await appDb();
    const result = await validateSessionToken(db, token);
    if (result) {
      ctx.locals.user = result.user;
      ctx.locals.session = result.session;
      ctx.locals.unread = result.unread;
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
