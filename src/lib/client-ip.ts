// The client's IP for rate limits and the audit log: the socket address, or the
// last X-Forwarded-For hop when TRUST_PROXY=1 (the hop our own proxy appended).
import { config } from './config.ts';

/** The requesting client's address ('unknown' when the adapter gives none). */
export function clientIp(ctx: { request: Request; clientAddress?: string }, trustProxy = config().trustProxy): string {
  if (trustProxy) {
    const hops = (ctx.request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (hops.length) return hops[hops.length - 1].slice(0, 64);
  }
  try {
    return ctx.clientAddress || 'unknown';
  } catch {
    return 'unknown';
  }
}
