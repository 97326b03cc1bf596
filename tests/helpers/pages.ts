// Browser pages for the e2e walks (issues 20, 21): a page per user at a width, anonymous ones without
// JavaScript (the public side must work without it), optionally in 大字 mode; and the width check every
// walk makes. One helper instead of a copy per walk.
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sessionCookieFor } from './session.ts';
import type { Actors, Kind } from './trust.ts';
import type { RunningServer } from './server.ts';

/** Pages on one portal; `closeAll` ends every context it opened (call it in the walk's last step). */
export function walkPages(portal: () => { browser: Browser; server: RunningServer; actors: Actors }) {
  const contexts: BrowserContext[] = [];
  /** A page for a user id (null: anonymous, no cookie, no JavaScript) at the given width. */
  async function pageFor(userId: number | null, width: number, large = false): Promise<Page> {
    const { browser, server } = portal();
    const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: userId != null });
    contexts.push(context);
    if (userId != null) {
      const [name, value] = (await sessionCookieFor(server.dbUrl, userId)).cookie.split('=');
      await context.addCookies([{ name, value, url: server.url }]);
    }
    if (large) await context.addCookies([{ name: 'sx_large', value: '1', url: server.url }]);
    return context.newPage();
  }
  return {
    pageFor,
    /** A page as a kind of the trust actors. */
    pageAs: (kind: Kind, width: number, large = false) => pageFor(kind === 'anonymous' ? null : portal().actors.ids[kind], width, large),
    closeAll: async () => {
      for (const c of contexts.splice(0)) await c.close();
    },
  };
}

/** Nothing wider than the screen. */
export async function fitsWidth(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}
