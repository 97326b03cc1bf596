// Browser pages for the e2e walks (issues 20, 21): a page per user at a width, anonymous ones without
// JavaScript (the public side must work without it), optionally in 大字 mode; and the width check every
// walk makes. One helper instead of a copy per walk.
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sessionCookieFor, signInContext, userIdByPhoneAt } from './session.ts';
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

/** A phone (360 px, no JavaScript): its context and page. */
export type Phone = { ctx: BrowserContext; page: Page };

/** Phones on one portal, signed in by the demo account's phone number (the issue-21 walks). */
export function phonePages(portal: () => { browser: Browser; server: RunningServer }) {
  const open = async (): Promise<Phone> => {
    const ctx = await portal().browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    return { ctx, page: await ctx.newPage() };
  };
  return {
    /** A phone-sized, script-free browser signed in as the account with this phone. */
    phoneAs: async (phone: string): Promise<Phone> => {
      const { server } = portal();
      const p = await open();
      await signInContext(p.ctx, server.url, server.dbUrl, await userIdByPhoneAt(server.dbUrl, phone));
      return p;
    },
    /** An anonymous phone. */
    anonymous: open,
  };
}

/** Submits the form holding `button` and returns the POST's status (303 on success). */
export async function submit(page: Page, button: ReturnType<Page['locator']>): Promise<number> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), button.click()]);
  await page.waitForLoadState('domcontentloaded');
  return res.status();
}

/** Nothing wider than a 360 px phone. */
export async function fitsPhone(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), page.url()).toBeLessThanOrEqual(360);
}
