// Form-posted Actions run here so that a rejected form re-renders the same page with a 4xx status
// and the user's input (locals.formData), instead of Astro's default redirect-with-200. A handler may
// return { redirect: '/path' } to redirect (303) after success. See docs/decisions/004-form-actions.md
// and docs/decisions/074 (the fast path for small url-encoded forms).
import { ActionError, getActionContext } from 'astro:actions';
import type { APIContext, MiddlewareHandler } from 'astro';
import { server } from '../actions/index.ts';
import { refusalActionError } from '../lib/action-guards.ts';
import { safeNext } from '../lib/safe-next.ts';
import { ACTION_STATUS_TEXT } from './action-refusals.ts';

type ServerAction = Parameters<APIContext['callAction']>[0];

const FORBIDDEN_ACTION_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The action a form names (`events.signUp`), resolved in our actions module the way Astro does
 * (own properties only, URI-decoded keys) — or undefined when the name is no action. Called through
 * Astro's public `callAction` with an already parsed form, it validates and answers { data, error }
 * exactly as Astro's handler, without re-reading the body or copying the request context
 * (docs/decisions/074).
 */
function serverAction(name: string): ServerAction | undefined {
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
  return typeof target === 'function' ? (target as ServerAction) : undefined;
}

/** An url-encoded body (read once by src/server/http-server.ts) as FormData, as Request.formData() would give it. */
function formDataOf(raw: Uint8Array): FormData {
  const form = new FormData();
  for (const [k, v] of new URLSearchParams(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'))) form.append(k, v);
  return form;
}

/** Runs the Action a form posted (303 on `{ redirect }`), or renders the page with its result and status. */
export const formActions: MiddlewareHandler = async (ctx, next) => {
  ctx.locals.formData = null;
  ctx.locals.formResult = null;
  const { action, setActionResult, serializeActionResult } = getActionContext(ctx);
  // Astro's own client posts to /_actions/<name>/ (a trailing slash, as Astro's handler expects and strips).
  if (action?.calledFrom === 'rpc' && !serverAction(action.name.replace(/\/$/, ''))) {
    // POST /_actions/<namespace>: Astro's own route would throw a TypeError (a 500).
    return new Response(JSON.stringify({ type: 'AstroActionError', code: 'NOT_FOUND', status: 404, message: ACTION_STATUS_TEXT[404] }), {
      status: 404,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
  }
  if (action?.calledFrom !== 'form') return next();
  // Small url-encoded forms (every form but uploads) come as bytes read by src/server/http-server.ts:
  // parsed once here, the action is called with them (Astro's handler would clone the request and
  // parse it again), and the same FormData is what a re-rendered page shows back.
  // A name that is no action (`accounts`, `__proto__.x`) is NOT_FOUND here: Astro's own handler
  // throws a TypeError (a 500) for a name that resolves to a namespace.
  const target = serverAction(action.name);
  const form = ctx.locals.rawForm ? formDataOf(ctx.locals.rawForm) : null;
  // A refusal src/server/signup-form.ts already got for this very form (docs/decisions/109) is shown as
  // the Action would have answered it, without asking the domain a second time.
  const known = ctx.locals.formRefusal?.action === action.name ? ctx.locals.formRefusal.refusal : null;
  const result = !target
    ? { data: undefined, error: new ActionError({ code: 'NOT_FOUND' }) }
    : known
      ? { data: undefined, error: refusalActionError(known) }
      : form
        ? await ctx.callAction(target, form)
        : await action.handler();
  const data = result.data as { redirect?: unknown } | undefined;
  const to = !result.error && data && typeof data.redirect === 'string' ? safeNext(data.redirect, '') : '';
  if (to) return ctx.redirect(to, 303);
  // The page is rendered again: keep what the user typed (parsed only here, not on every success).
  // Other forms (uploads) are read from a clone, since the page may still Astro.rewrite(), which
  // needs the request's body unread.
  try {
    ctx.locals.formData = form ?? (await ctx.request.clone().formData());
  } catch {
    return new Response('请求格式不正确 / Bad request', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  // Astro's documented contract (getActionContext): a result set here is the one its own action
  // step uses; without it, that step — inside next() — runs the action a second time (measured:
  // every refused form ran twice; the login lock-out test would see 429 after 5 tries).
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
};
