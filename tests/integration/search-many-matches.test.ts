// Issue 22: search over a prefecture's 200,000 articles, where a common word (社区) matches most of them.
// The counts per type come from the index alone and bm25 ranks a bounded window of the newest matches
// (RANK_WINDOW); every match is still counted, and reachable exactly once across the pages.
import { describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { RANK_WINDOW, search } from '../../src/domain/search/index.ts';

const MANY = RANK_WINDOW + 350;

/** MANY published articles with 社区 in the body (every 7th also in the title), and 40 without it. */
async function manyArticles(db: Db): Promise<Set<number>> {
  const now = Date.now();
  const stmts = Array.from({ length: MANY + 40 }, (_, i) => ({
    sql: `INSERT INTO articles (slug, channel, title, summary, body, tags, author, source, status, review_step, published_at, created_at)
          VALUES (?, 'news', ?, '', ?, '[]', '县文明办', '融媒', 'published', 2, ?, ?)`,
    args: [`m-${i}`, i % 7 === 0 && i < MANY ? `东门社区第${i}次活动` : `第${i}次志愿活动`, i < MANY ? `志愿者来到社区开展服务（${i}）。` : `志愿者开展河道清理（${i}）。`, now - i * 60_000, now],
  }));
  await db.$client.batch(stmts, 'write');
  const ids = (await db.$client.execute(`SELECT id FROM articles WHERE body LIKE '%社区%' OR title LIKE '%社区%'`)).rows.map((r) => Number(r.id));
  return new Set(ids);
}

describe('search with more matches than are ranked', () => {
  test('counts every match, and the pages hold each one exactly once, title hits first on page 1', async () => {
    const db = await freshDb({ seed: 'base' });
    const expected = await manyArticles(db);
    expect(expected.size).toBe(MANY);
    const first = await search(db, { q: '社区', type: 'article', perPage: 100 });
    expect(first.total).toBe(MANY);
    expect(first.byType.article).toBe(MANY);
    expect(first.pages).toBe(Math.ceil(MANY / 100));
    // Title hits rank first among the ranked matches.
    expect(first.items.slice(0, 10).every((i) => i.title.some((p) => p.hit))).toBe(true);
    const seen: number[] = [...first.items.map((i) => i.refId)];
    for (let p = 2; p <= first.pages; p++) seen.push(...(await search(db, { q: '社区', type: 'article', perPage: 100, page: p })).items.map((i) => i.refId));
    expect(seen.length).toBe(MANY);
    expect(new Set(seen)).toEqual(expected);
  });

  test('no statement reads a search_docs row for every match', async () => {
    const db = await freshDb({ seed: 'base' });
    await manyArticles(db);
    const seen: string[] = [];
    const client = db.$client as unknown as { execute: (s: unknown) => Promise<unknown> };
    const execute = client.execute.bind(client);
    client.execute = (s: unknown) => {
      seen.push(typeof s === 'string' ? s : String((s as { sql: string }).sql));
      return execute(s);
    };
    await search(db, { q: '社区' });
    await search(db, { q: '社区', type: 'article', page: 3 });
    client.execute = execute;
    // A plan that looks up search_docs beside the full-text cursor itself (not beside a bounded window of it)
    // reads one row per match: 180,000 at the prefecture's size.
    const unbounded: string[] = [];
    for (const text of seen) {
      const plan = (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args: (text.match(/\?/g) ?? []).map(() => '"社区"') })).rows.map((r) => String(r.detail));
      const ftsAtTop = plan.some((d) => /^SCAN f VIRTUAL TABLE/.test(d));
      if (ftsAtTop && plan.some((d) => /\bd\b.*PRIMARY KEY|search_docs/.test(d))) unbounded.push(plan.join(' | '));
    }
    expect(seen.length).toBeGreaterThan(1);
    expect(unbounded).toEqual([]);
  });
});
