// A libSQL server runs each migration statement on its own and refuses anything after it — even a
// comment — as "more than one statement"; the local client accepts it. So a hand-edited migration
// that works on a file can break every remote deployment (it did: a trailing comment in 0008).
import { expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsFolder } from '../../db/migrate.ts';

/** Chunks (split at drizzle-kit's breakpoints) that hold more than one statement or text after the last one. */
export function badChunks(sql: string): string[] {
  return sql.split('--> statement-breakpoint').flatMap((chunk, i) => {
    const code = chunk.replace(/'(?:[^']|'')*'/g, "''").replace(/`[^`]*`/g, '``');
    const statements = code
      .replace(/--[^\n]*/g, '')
      .split(';')
      .filter((s) => s.trim());
    const last = code.lastIndexOf(';');
    return statements.length > 1 || (last >= 0 && code.slice(last + 1).trim()) ? [`chunk ${i}`] : [];
  });
}

test('the checker finds a trailing comment and two statements in one chunk', () => {
  expect(badChunks('SELECT 1;\n-- note')).toEqual(['chunk 0']);
  expect(badChunks('SELECT 1; SELECT 2;')).toEqual(['chunk 0']);
  expect(badChunks("-- note\nSELECT ';' ;--> statement-breakpoint\nSELECT 2;")).toEqual([]);
});

test('every migration is one statement per breakpoint, with nothing after it', () => {
  const bad = readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .flatMap((f) => badChunks(readFileSync(join(migrationsFolder, f), 'utf8')).map((c) => `${f}: ${c}`));
  expect(bad).toEqual([]);
});
