// One JSON log line per request (src/lib/log.ts), with the request id pages and other logs share.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'astro';
import { logRequest as writeRequestLine } from '../lib/log.ts';

/** Gives the request its id, then logs its status and time — also when the page threw (status 500). */
export const logRequest: MiddlewareHandler = async (ctx, next) => {
  const started = performance.now();
  ctx.locals.requestId = randomUUID();
  let status = 500;
  try {
    const res = await next();
    status = res.status;
    return res;
  } finally {
    writeRequestLine({
      reqId: ctx.locals.requestId,
      userId: ctx.locals.user?.id ?? null,
      method: ctx.request.method,
      path: ctx.url.pathname,
      status,
      ms: Math.round(performance.now() - started),
    });
  }
};
