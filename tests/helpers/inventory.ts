// Inventories of what the portal exposes — the Actions from the `server` object itself, the pages
// from the route files — so that tests fail when something new appears without a matching row.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { server } from '../../src/actions/index.ts';

/** Every Astro Action as "capability.name", read from the `server` object Astro serves them from. */
export function listActions(): string[] {
  const out: string[] = [];
  for (const [cap, group] of Object.entries(server)) {
    for (const [name, action] of Object.entries(group)) if (typeof action === 'function') out.push(`${cap}.${name}`);
  }
  return out.sort();
}

/** Every page route under src/pages/<prefix> as a URL pattern (e.g. /console/articles/[id]). */
export function listPages(prefix: string, root = process.cwd()): string[] {
  const base = join(root, 'src', 'pages');
  const start = join(base, prefix);
  const out: string[] = [];
  const walk = (p: string) => {
    for (const e of readdirSync(p)) {
      const full = join(p, e);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(astro|ts)$/.test(e)) {
        let route =
          '/' +
          relative(base, full)
            .replace(/\.(astro|ts)$/, '')
            .replace(/\\/g, '/');
        route = route.replace(/\/index$/, '') || '/';
        out.push(route);
      }
    }
  };
  try {
    walk(start);
  } catch {
    return [];
  }
  return out.sort();
}
