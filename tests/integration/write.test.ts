// db/write.ts, the one way the portal writes: a guarded write's follow-ups take effect only when its
// guard changed a row, a batch commits whole or not at all (docs/decisions/084). Real libSQL files.
import { describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { compile, guardedWrite, prepared, writeBatch } from '../../db/write.ts';
import type { Db } from '../../db/client.ts';

async function scratch(): Promise<Db> {
  const db = await freshDb({ seed: 'none' });
  await db.run(sql`CREATE TABLE doors (id INTEGER PRIMARY KEY, state TEXT NOT NULL)`);
  await db.run(sql`CREATE TABLE notes (id INTEGER PRIMARY KEY, door_id INTEGER, text TEXT NOT NULL)`);
  await db.run(sql`INSERT INTO doors (id, state) VALUES (1, 'closed'), (2, 'open')`);
  return db;
}

const notes = async (db: Db) => (await db.all<{ text: string }>(sql`SELECT text FROM notes ORDER BY id`)).map((r) => r.text);
const state = async (db: Db, id: number) => (await db.all<{ state: string }>(sql`SELECT state FROM doors WHERE id = ${id}`))[0]?.state;

const open = (id: number) => sql`UPDATE doors SET state = 'open' WHERE id = ${id} AND state = 'closed' RETURNING id, state`;
const note = (id: number, text: string) => sql`INSERT INTO notes (door_id, text) VALUES (${id}, ${text}) RETURNING text`;

describe('guardedWrite', () => {
  test('a guard that matches commits its follow-ups and returns every result set in order', async () => {
    const db = await scratch();
    const written = await guardedWrite(db, open(1), [note(1, 'opened'), note(1, 'logged')]);
    expect(written?.map((r) => r.rows.map((row) => ({ ...row })))).toEqual([[{ id: 1, state: 'open' }], [{ text: 'opened' }], [{ text: 'logged' }]]);
    expect(await state(db, 1)).toBe('open');
    expect(await notes(db)).toEqual(['opened', 'logged']);
  });

  test('a guard that matches nothing writes nothing and answers null', async () => {
    const db = await scratch();
    expect(await guardedWrite(db, open(2), [note(2, 'should not exist')])).toBeNull();
    expect(await guardedWrite(db, sql`INSERT INTO doors (id, state) SELECT 3, 'closed' WHERE 0`, [note(3, 'nor this')])).toBeNull();
    expect(await notes(db)).toEqual([]);
  });

  test("a failing follow-up takes the guarded change back with it, and the error is the caller's", async () => {
    const db = await scratch();
    await expect(guardedWrite(db, open(1), [note(1, 'opened'), sql`INSERT INTO notes (door_id, text) VALUES (1, NULL)`])).rejects.toThrow(/NOT NULL/);
    expect(await state(db, 1)).toBe('closed');
    expect(await notes(db)).toEqual([]);
  });

  test('of 50 concurrent attempts on one row, exactly one wins and writes its follow-up', async () => {
    const db = await scratch();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => guardedWrite(db, open(1), [note(1, `winner ${i}`)])));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await notes(db)).toHaveLength(1);
  });

  test('a follow-up may name the row the guard just created by its natural key', async () => {
    const db = await scratch();
    const written = await guardedWrite(db, sql`INSERT INTO doors (id, state) SELECT 7, 'new' WHERE NOT EXISTS (SELECT 1 FROM doors WHERE id = 7) RETURNING id`, [
      sql`INSERT INTO notes (door_id, text) VALUES ((SELECT id FROM doors WHERE state = 'new'), 'made')`,
    ]);
    expect(Number(written?.[0].rows[0].id)).toBe(7);
    expect(await db.all(sql`SELECT door_id, text FROM notes`)).toEqual([{ door_id: 7, text: 'made' }]);
  });
});

describe('writeBatch', () => {
  test('all statements commit together, or none', async () => {
    const db = await scratch();
    await writeBatch(db, [note(1, 'a'), note(1, 'b')]);
    await expect(writeBatch(db, [note(1, 'c'), sql`INSERT INTO notes (door_id, text) VALUES (1, NULL)`])).rejects.toThrow(/NOT NULL/);
    expect(await notes(db)).toEqual(['a', 'b']);
  });
});

describe('statements', () => {
  test('values stay values where they are used: one SQL text, the values bound', () => {
    const hostile = "x'); DROP TABLE doors; --";
    expect(compile(note(1, hostile))).toEqual({ sql: 'INSERT INTO notes (door_id, text) VALUES (?, ?) RETURNING text', args: [1, hostile] });
    expect(compile(note(2, 'y')).sql).toBe(compile(note(1, hostile)).sql);
  });

  test('a prepared statement binds its named values per call and refuses a missing one', async () => {
    const db = await scratch();
    const insert = prepared<{ door: number; text: string }>(sql`INSERT INTO notes (door_id, text) VALUES (${sql.placeholder('door')}, ${sql.placeholder('text')})`);
    await writeBatch(db, [insert({ door: 1, text: 'first' }), insert({ door: 2, text: 'second' })]);
    expect(await notes(db)).toEqual(['first', 'second']);
    expect(() => insert({ door: 1 } as never)).toThrow(/text/);
  });
});
