// Issue 18 ("nothing wider than a phone"): every page under src/pages, public, member and console,
// opened at 360 × 640 in normal type and in 大字模式, answers its status, has no element wider than
// the screen and no chart text smaller than 12 px. The page list comes from the route files, so a
// new page without a row here fails the first test.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { trustPortalHooks } from '../helpers/portal.ts';
import { PAGES, pagePath, type Ctx } from '../fixtures/access-matrix.ts';
import type { Actors, Kind, Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let q: Q;
let actors: Actors;
let ctx: Ctx;
let browser: Browser;
trustPortalHooks((p, b) => {
  ({ server, q, actors, ctx } = p);
  browser = b;
});

/** Every .astro page route (endpoints are not pages), e.g. /honors/[slug]. */
function astroRoutes(root = process.cwd()): string[] {
  const base = join(root, 'src', 'pages');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const full = join(dir, e);
      if (statSync(full).isDirectory()) walk(full);
      else if (e.endsWith('.astro')) out.push(('/' + relative(base, full).replace(/\\/g, '/').replace(/\.astro$/, '')).replace(/\/index$/, '') || '/');
    }
  };
  walk(base);
  return out.sort();
}

interface Visit {
  /** Who opens it: one kind, or several (member pages as a volunteer and as a leader). */
  as: Kind[];
  /** The concrete path, with sample ids from the seeded demo county. */
  path: () => Promise<string>;
  /** Expected status (the error pages). */
  status?: number;
}

/** The first column of the first row a query finds (a sample id or slug). */
const any = async (sql: string) => {
  const row = await q.row(sql);
  if (!row) throw new Error(`no sample: ${sql}`);
  return String(Object.values(row)[0]);
};
const fixed = (p: string) => async () => p;

/** Public pages with [params] and the pages that are not plain 200s. */
const PUBLIC_SAMPLES: Record<string, Visit> = {
  '/403': { as: ['volunteer'], path: fixed('/console'), status: 403 },
  '/404': { as: ['anonymous'], path: fixed('/no-such-page'), status: 404 },
  '/articles/[slug]': { as: ['anonymous'], path: async () => `/articles/${await any("SELECT slug FROM articles WHERE status = 'published' ORDER BY id LIMIT 1")}` },
  '/events/[id]': { as: ['anonymous'], path: async () => `/events/${await any("SELECT id FROM events WHERE status = 'published' ORDER BY id LIMIT 1")}` },
  '/events/[id]/checkin': { as: ['owner'], path: async () => `/events/${await any("SELECT id FROM events WHERE status = 'published' ORDER BY id LIMIT 1")}/checkin` },
  '/honors/[slug]': { as: ['anonymous'], path: async () => `/honors/${await any("SELECT slug FROM honorees WHERE status = 'published' ORDER BY id LIMIT 1")}` },
  '/honors/candidates/[id]': { as: ['anonymous'], path: async () => `/honors/candidates/${await any("SELECT id FROM honorees WHERE status = 'candidate' ORDER BY id LIMIT 1")}` },
  '/honors/objection': { as: ['anonymous'], path: async () => `/honors/objection?h=${await any("SELECT id FROM honorees WHERE status = 'candidate' ORDER BY id LIMIT 1")}` },
  '/honors/poster/[slug]': { as: ['anonymous'], path: async () => `/honors/poster/${await any("SELECT slug FROM honor_batches WHERE status = 'published' ORDER BY id LIMIT 1")}` },
  '/legal/[slug]': { as: ['anonymous'], path: async () => `/legal/${await any('SELECT slug FROM legal_lessons ORDER BY id LIMIT 1')}` },
  '/legal/rate/[token]': {
    as: ['anonymous'],
    path: async () => {
      // Only the token's hash is stored: give one order a token this test knows.
      const token = 'phonewalkratetoken2026';
      await q.client.execute({ sql: 'UPDATE lecture_orders SET rate_token_hash = ? WHERE id = (SELECT min(id) FROM lecture_orders)', args: [createHash('sha256').update(token).digest('hex')] });
      return `/legal/rate/${token}`;
    },
  },
  // An unknown or used link still renders its page, with 410.
  '/reset/[token]': { as: ['anonymous'], path: fixed('/reset/no-such-token'), status: 410 },
  '/teams/[slug]': { as: ['anonymous'], path: fixed('/teams/chengguan-red-vest') },
  '/verify/[code]': { as: ['anonymous'], path: async () => `/verify/${await any("SELECT code FROM certificates WHERE status = 'issued' ORDER BY id LIMIT 1")}` },
};

/** Who of the trust actors opens a member or console page: the first kind its access rule lets in. */
function visitFromMatrix(pattern: string): Visit | undefined {
  const row = PAGES[pattern];
  if (!row) return undefined;
  const allowed = (['owner', 'leaderB', 'admin', 'editor', 'reviewer'] as Kind[]).filter((k) => row.who[k] === 'allowed');
  // Pages every member may open: as a plain volunteer and as a team leader; staff pages: the first staff kind let in.
  const as = allowed.includes('owner') && allowed.includes('leaderB') ? (['owner', 'leaderB'] as Kind[]) : allowed.slice(0, 1);
  return {
    as,
    path: async () => {
      let p = pagePath(pattern, row.params ? await row.params(ctx) : {});
      if (row.query) p += '?' + new URLSearchParams(await row.query(ctx)).toString();
      return p;
    },
  };
}

function visitFor(pattern: string): Visit | undefined {
  if (PUBLIC_SAMPLES[pattern]) return PUBLIC_SAMPLES[pattern];
  if (pattern.startsWith('/me') || pattern.startsWith('/console')) return visitFromMatrix(pattern);
  return pattern.includes('[') ? undefined : { as: ['anonymous'], path: fixed(pattern) };
}

const routes = astroRoutes();

test('every page route has a way to be walked (add a sample to PUBLIC_SAMPLES or the access matrix)', () => {
  expect(routes).toContain('/stats');
  expect(routes.filter((r) => !visitFor(r))).toEqual([]);
});

/** What is wrong with the page as rendered: elements past the right edge, chart text under 12 px. */
async function phoneProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out: string[] = [];
    const name = (el: Element) => `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}> “${(el.textContent ?? '').trim().slice(0, 30)}”`;
    // Visually hidden on purpose (sr-only, honeypot, skip link, a card table's header row): clipped or off to the left.
    const hidden = (el: Element) => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.display === 'none' || cs.visibility === 'hidden') return true;
        if (cs.position === 'absolute' && (cs.clip !== 'auto' || e.getBoundingClientRect().right <= 0)) return true;
      }
      return false;
    };
    // A scroll box the reader is told about (aria-label) may hold something wider: none should be left.
    const labelledScroller = (el: Element) => {
      for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
        const ox = getComputedStyle(e).overflowX;
        if ((ox === 'auto' || ox === 'scroll') && (e.hasAttribute('aria-label') || e.hasAttribute('aria-labelledby'))) return true;
      }
      return false;
    };
    if (document.documentElement.scrollWidth > vw) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} px > ${vw} px`);
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= vw + 1) continue;
      if (hidden(el) || labelledScroller(el)) continue;
      // Name the outermost element that sticks out (the table, not each of its cells).
      const parent = el.parentElement;
      if (parent && parent !== document.body && parent.getBoundingClientRect().right > vw + 1 && !hidden(parent)) continue;
      out.push(`wider than the screen (right edge ${Math.round(r.right)} px): ${name(el)}`);
      if (out.length > 8) break;
    }
    for (const t of document.querySelectorAll('svg text')) {
      if (!t.getClientRects().length || hidden(t)) continue;
      const ctm = (t as SVGGraphicsElement).getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * (ctm ? Math.hypot(ctm.a, ctm.b) : 1);
      if (px < 12 - 0.01) out.push(`chart text renders at ${px.toFixed(1)} px: “${t.textContent}”`);
    }
    return out;
  });
}

describe.each([
  ['normal type', false],
  ['大字模式', true],
])('every page at 360 px, %s', (_mode, large) => {
  test('answers, fits the screen, chart text ≥ 12 px', { timeout: 240_000 }, async () => {
    const contexts = new Map<Kind, BrowserContext>();
    const pageFor = async (kind: Kind) => {
      let c = contexts.get(kind);
      if (!c) {
        c = await browser.newContext({ viewport: { width: 360, height: 640 } });
        const cookies = [...(large ? [{ name: 'sx_large', value: '1', url: server.url }] : [])];
        if (kind !== 'anonymous') {
          const [name, value] = actors.cookies[kind].split('=');
          cookies.push({ name, value, url: server.url });
        }
        await c.addCookies(cookies);
        contexts.set(kind, c);
      }
      return c.pages()[0] ?? (await c.newPage());
    };
    const problems: string[] = [];
    let walked = 0;
    try {
      for (const route of routes) {
        const visit = visitFor(route)!;
        const path = await visit.path();
        for (const kind of visit.as) {
          const page = await pageFor(kind);
          const res = await page.goto(server.url + path);
          walked++;
          const status = res?.status() ?? 0;
          if (status !== (visit.status ?? 200)) problems.push(`${path} as ${kind}: status ${status}`);
          for (const p of await phoneProblems(page)) problems.push(`${path} as ${kind}: ${p}`);
        }
      }
    } finally {
      for (const c of contexts.values()) await c.close();
    }
    expect(walked).toBeGreaterThan(60);
    expect(problems).toEqual([]);
  });
});
