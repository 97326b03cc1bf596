// Debian's Chromium driven by playwright-core (no downloaded browsers).
import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';

/** Path of the Chromium binary: CHROMIUM_PATH or Debian's. */
export function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(p)) throw new Error(`未找到 Chromium：${p}。请运行 sudo apt-get install -y chromium fonts-wqy-microhei，或设置 CHROMIUM_PATH。 / Chromium not found at ${p}`);
  return p;
}

/** Launches headless Chromium with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}
