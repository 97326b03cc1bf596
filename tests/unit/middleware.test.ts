// The middleware pieces that need no Astro runtime, driven with Astro's own createContext: the
// request log (also for a page that throws) and the one origin check that replaced Astro's
// (issue 16, item 3; docs/decisions/085).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createContext, sequence } from 'astro/middleware';
import { logRequest } from '../../src/middleware/log-request.ts';
import { isSameOriginWrite, sameOrigin } from '../../src/middleware/same-origin.ts';

const SITE = 'http://portal.example';
const contextOf = (request: Request) => createContext({ request, defaultLocale: 'zh-CN' });

/** Captures the JSON log lines written while fn runs. */
async function logLines(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    await fn();
  } finally {
    vi.restoreAllMocks();
  }
  return lines.map((l) => JSON.parse(l));
}

afterEach(() => vi.restoreAllMocks());

describe('request log', () => {
  test('a page that throws is logged at error with status 500, and the error still reaches Astro', async () => {
    const ctx = contextOf(new Request(`${SITE}/events/12`));
    const fault = new Error('boom');
    let rejected: unknown;
    const [line] = await logLines(() =>
      (logRequest(ctx, () => Promise.reject(fault)) as Promise<Response>).catch((e) => {
        rejected = e;
      }),
    );
    expect(rejected).toBe(fault);
    expect(line).toMatchObject({ level: 'error', msg: 'request', method: 'GET', route: '/events/12', status: 500 });
    expect(line.reqId).toEqual(expect.any(String));
  });

  test('a refusal is a warn line with its status', async () => {
    const ctx = contextOf(new Request(`${SITE}/console`));
    const [line] = await logLines(() => logRequest(ctx, async () => new Response('', { status: 403 })) as Promise<Response>);
    expect(line).toMatchObject({ level: 'warn', msg: 'request refused', status: 403 });
  });
});

describe('origin check', () => {
  const FORM = 'application/x-www-form-urlencoded';
  test.each([
    // method, content type, Origin, Sec-Fetch-Site, allowed
    ['GET', '', 'https://evil.example', '', true],
    ['HEAD', '', '', 'cross-site', true],
    ['OPTIONS', 'application/json', 'https://evil.example', '', true],
    ['POST', FORM, SITE, '', true],
    ['POST', FORM, 'https://evil.example', '', false],
    ['POST', FORM, 'null', '', false],
    // Forms must show their Origin, as Astro's own check required: Sec-Fetch-Site alone is not enough.
    ['POST', FORM, '', 'same-origin', false],
    ['POST', 'multipart/form-data; boundary=x', '', '', false],
    ['POST', 'text/plain', '', 'same-origin', false],
    ['POST', 'Application/X-WWW-Form-Urlencoded', '', 'same-origin', false],
    ['POST', 'application/json', SITE, '', true],
    ['POST', 'application/json', '', 'same-origin', true],
    ['POST', 'application/json', '', 'none', true],
    ['POST', 'application/json', '', 'cross-site', false],
    ['POST', 'application/json', '', '', false],
    ['POST', '', '', '', false],
    ['DELETE', 'application/json', 'https://evil.example', '', false],
    ['PUT', '', '', 'same-origin', false],
    // Neither check of before refused this: Astro's looked at form types only, ours at four methods.
    ['PROPFIND', 'application/json', 'https://evil.example', '', false],
  ])('%s %j from %j (Sec-Fetch-Site %j): allowed %s', (method, type, origin, site, allowed) => {
    const headers: Record<string, string> = {};
    if (type) headers['content-type'] = type;
    if (origin) headers.origin = origin;
    if (site) headers['sec-fetch-site'] = site;
    const request = new Request(`${SITE}/logout`, { method, headers });
    expect(isSameOriginWrite(request, new URL(request.url))).toBe(allowed);
  });

  test('a refused write is a Chinese 403 that never reaches the page', async () => {
    const ctx = contextOf(new Request(`${SITE}/logout`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': FORM }, body: 'a=b' }));
    const page = vi.fn(async () => new Response('page'));
    let res: Response | undefined;
    await logLines(async () => {
      res = (await sequence(sameOrigin)(ctx, page)) as Response;
    });
    expect(res!.status).toBe(403);
    expect(await res!.text()).toContain('跨站请求被拒绝');
    expect(page).not.toHaveBeenCalled();
  });
});
