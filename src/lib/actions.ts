// The actions of 'astro:actions' for pages, each built once. Astro's proxy builds a new function
// (and a URLSearchParams for its query string) on every property read — several per rendered form
// page, re-done on every refused form (docs/decisions/074). Actions are `namespace.name`; both
// levels are kept as Astro made them, so forms, `String(action)` and `actionResult` see the same values.
import { actions as astroActions } from 'astro:actions';

function memo<T extends object>(target: T, depth: number): T {
  const made = new Map<string, unknown>();
  return new Proxy(target, {
    get(t, key) {
      if (typeof key !== 'string') return Reflect.get(t, key);
      if (made.has(key)) return made.get(key);
      const v = Reflect.get(t, key) as unknown;
      const out = depth > 0 && (typeof v === 'function' || (typeof v === 'object' && v !== null)) ? memo(v as object, depth - 1) : v;
      made.set(key, out);
      return out;
    },
  });
}

export const actions = memo(astroActions, 1);
