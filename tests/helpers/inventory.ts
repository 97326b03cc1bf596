// Inventories of what the portal exposes, read from the source tree, so that
// tests fail when something new appears without a matching row.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every Astro Action as "capability.name", parsed from src/actions/<capability>.ts. */
export function listActions(root = process.cwd()): string[] {
  const dir = join(root, 'src', 'actions');
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.ts') || f === 'index.ts') continue;
    const src = readFileSync(join(dir, f), 'utf8');
    const cap = /export const (\w+)\s*=\s*\{/.exec(src)?.[1];
    if (!cap) continue;
    for (const m of src.matchAll(/^\s{2}(\w+):\s*(?:formAction|defineAction)\(/gm)) out.push(`${cap}.${m[1]}`);
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
        let route = '/' + relative(base, full).replace(/\.(astro|ts)$/, '').replace(/\\/g, '/');
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
