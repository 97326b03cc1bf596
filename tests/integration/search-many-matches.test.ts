// Issue 22: search over a prefecture's 200,000 articles, where a common word (社区) matches most of them.
// Counts stop at COUNT_CAP per type ("1000+", docs/decisions/107), bm25 ranks only small match sets and
// the newest RANK_WINDOW matches are ordered title hits first; every match is still reachable exactly once
// across the pages, and no statement reads more rows when there are more matches.
import { describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { REMOTE } from '../helpers/hrana.ts';
import type { Db } from '../../db/client.ts';
import { COUNT_CAP, DEEPEST_OFFSET, RANK_WINDOW, search } from '../../src/domain/search/index.ts';

const MANY = RANK_WINDOW + 350;

/** `many` published articles with 社区 in the body (every 7th also in the title), and 40 without it. */
async function manyArticles(db: Db, many = MANY): Promise<Set<number>> {
  const now = Date.now();
  const stmts = Array.from({ length: many + 40 }, (_, i) => ({
    sql: `INSERT INTO articles (slug, channel, title, summary, body, tags, author, source, status, review_step, published_at, created_at)
          VALUES (?, 'news', ?, '', ?, '[]', '县文明办', '融媒', 'published', 2, ?, ?)`,
    args: [`m-${i}`, i % 7 === 0 && i < many ? `东门社区第${i}次活动` : `第${i}次志愿活动`, i < many ? `志愿者来到社区开展服务（${i}）。` : `志愿者开展河道清理（${i}）。`, now - i * 60_000, now],
  }));
  await db.$client.batch(stmts, 'write');
  const ids = (await db.$client.execute(`SELECT id FROM articles WHERE body LIKE '%社区%' OR title LIKE '%社区%'`)).rows.map((r) => Number(r.id));
  return new Set(ids);
}

/**
 * VM steps (SQLite's own count of a statement's work, one or more per row read) of each statement the
 * search runs, by SQL text; FTS5's statements on its own shadow tables are left out.
 */
async function searchSteps(db: Db, fn: () => Promise<unknown>): Promise<Map<string, number>> {
  // The local client keeps each statement prepared, so sqlite_stmt holds its running total of steps.
  const totals = async () =>
    new Map(
      (await db.$client.execute(`SELECT sql, nstep FROM sqlite_stmt WHERE sql LIKE '%search%' AND sql NOT LIKE '%sqlite_stmt%' AND sql NOT LIKE '%''main''.%'`)).rows.map((r) => [
        String(r.sql),
        Number(r.nstep),
      ]),
    );
  const before = await totals();
  await fn();
  const after = await totals();
  return new Map([...after].map(([text, n]) => [text, n - (before.get(text) ?? 0)]));
}

describe('search with more matches than are counted and ranked', () => {
  test('counts stop at COUNT_CAP ("more than"), and the pages hold every match exactly once, title hits first on page 1', async () => {
    const db = await freshDb({ seed: 'base' });
    const expected = await manyArticles(db);
    expect(expected.size).toBe(MANY);
    const first = await search(db, { q: '社区', type: 'article', perPage: 100 });
    expect(first.exact).toBe(false);
    expect(first.byType.article).toBe(COUNT_CAP + 1);
    expect(first.total).toBe(COUNT_CAP);
    // Title hits rank first among the ranked matches.
    expect(first.items.slice(0, 10).every((i) => i.title.some((p) => p.hit))).toBe(true);
    // Past the count, each page knows whether there is a next one: following 下一页 reaches every match once.
    const seen: number[] = [...first.items.map((i) => i.refId)];
    let r = first;
    while (r.page < r.pages) {
      r = await search(db, { q: '社区', type: 'article', perPage: 100, page: r.page + 1 });
      seen.push(...r.items.map((i) => i.refId));
    }
    expect(r.page).toBe(Math.ceil(MANY / 100));
    expect(seen.length).toBe(MANY);
    expect(new Set(seen)).toEqual(expected);
    // A page past the last one is empty, not an error.
    const past = await search(db, { q: '社区', type: 'article', perPage: 100, page: 30 });
    expect(past.items).toEqual([]);
    expect(past.pages).toBe(30);
    // A page number past DEEPEST_OFFSET is not walked to: the deepest page is shown instead.
    const deep = await search(db, { q: '社区', type: 'article', perPage: 100, page: 100_000 });
    expect(deep.clamped).toBe(true);
    expect(deep.page).toBe(DEEPEST_OFFSET / 100 + 1);
  });

  test('all types, following 下一页 with its cursor: the same, across the window and the older matches', async () => {
    const db = await freshDb({ seed: 'base' });
    const expected = await manyArticles(db);
    const seen: number[] = [];
    let cursors = 0;
    for (let r = await search(db, { q: '社区', perPage: 70 }); ; r = await search(db, { q: '社区', perPage: 70, page: r.page + 1, after: r.nextAfter })) {
      seen.push(...r.items.filter((i) => i.type === 'article').map((i) => i.refId));
      if (r.nextAfter !== null) cursors++;
      if (r.page >= r.pages) break;
    }
    expect(cursors).toBeGreaterThan(1);
    expect(seen.length).toBe(MANY);
    expect(new Set(seen)).toEqual(expected);
  });

  test.skipIf(REMOTE)('no statement reads more rows when the word is in twice as many documents', async () => {
    const small = await freshDb({ seed: 'base' });
    const large = await freshDb({ seed: 'base' });
    await manyArticles(small, MANY);
    await manyArticles(large, 2 * MANY);
    const searches = [
      { q: '社区' },
      { q: '社区', type: 'article' },
      { q: '社区', page: 220 },
      { q: '社区', type: 'article', page: 250, after: 1500 },
      { q: '来到社区', type: 'article', page: 3 },
      { q: '社区 服务' },
    ];
    for (const opts of searches) {
      const few = await searchSteps(small, () => search(small, opts));
      const more = await searchSteps(large, () => search(large, opts));
      expect(
        [...few.values()].some((n) => n > 0),
        JSON.stringify(opts),
      ).toBe(true);
      // Reading every match would add about MANY rows' worth of steps to that statement; bounded reads add none.
      for (const [text, n] of more) expect(n, `${JSON.stringify(opts)}: ${text}`).toBeLessThan((few.get(text) ?? 0) * 1.1 + 100);
    }
  });

  test('with few matches every count is exact and bm25 still ranks them', async () => {
    const db = await freshDb({ seed: 'base' });
    await manyArticles(db, 30);
    const r = await search(db, { q: '社区', perPage: 100 });
    expect(r.exact).toBe(true);
    expect(r.total).toBe(30);
    expect(r.pages).toBe(1);
  });
});
