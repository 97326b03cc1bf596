// Tables looked up with values from a request (?done=, ?type=, ?channel=, a status) must not answer
// for names every plain object has: `{…}['constructor']` is a function and `'toString' in {…}` is
// true, which rendered "[object Object]" and answered 500 (issue 15, item 11).

/** A frozen table without a prototype: only its own keys answer; `__proto__`, `constructor`, … are undefined. */
export function lookupTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** `table[key]` for the table's own keys only (safe for plain objects and any key). */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string | null | undefined): T | undefined {
  return key != null && Object.hasOwn(table, key) ? table[key] : undefined;
}
