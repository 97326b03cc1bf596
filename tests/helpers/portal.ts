// The usual browser-test setup: one real portal (fresh database) and one Chromium per test file.
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { startServer, type RunningServer } from './server.ts';
import { startTrustPortal } from './trust.ts';

/** Starts the portal and Chromium before the file's tests, stops both after; hands them over through `set`. */
export function portalHooks(set: (server: RunningServer, browser: Browser) => void, opts: Parameters<typeof startServer>[0] = {}): void {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startServer(opts);
    browser = await launchBrowser();
    set(server, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
}

/** The portal with the trust actors (a session per kind of user) and one Chromium, for the file's tests. */
export function trustPortalHooks(set: (portal: Awaited<ReturnType<typeof startTrustPortal>>, browser: Browser) => void): void {
  let portal: Awaited<ReturnType<typeof startTrustPortal>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    portal = await startTrustPortal();
    browser = await launchBrowser();
    set(portal, browser);
  });
  afterAll(async () => {
    await browser?.close();
    portal?.q.client.close();
    await portal?.server.stop();
  });
}
