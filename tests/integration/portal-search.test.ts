// Site search: Chinese words of 1–4+ characters, title hits first, the index
// kept in step with the source tables by triggers.
import { describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { search, rebuildSearchIndex, ftsQuery, queryTerms, highlight } from '../../src/domain/search/index.ts';
import type { Db } from '../../db/client.ts';

async function addArticle(db: Db, slug: string, title: string, body: string, status = 'published') {
  const rs = await db.$client.execute({
    sql: `INSERT INTO articles (slug, channel, title, summary, body, status, published_at, created_at) VALUES (?, 'news', ?, '', ?, ?, 1, 1) RETURNING id`,
    args: [slug, title, body, status],
  });
  return Number(rs.rows[0].id);
}
const titles = (r: Awaited<ReturnType<typeof search>>) => r.items.map((i) => i.title.map((p) => p.text).join(''));

describe('search', () => {
  test('query terms become bigram phrases', () => {
    expect(queryTerms('  社区，好人榜 AED! ')).toEqual(['社区', '好人榜', 'aed']);
    expect(ftsQuery(['社区', '好人榜', '法'])).toBe('"社区" AND "好人 人榜" AND "法"*');
  });

  test.each([
    ['社区', 'community'],
    ['好人', 'good'],
    ['反诈', 'fraud'],
    ['反诈宣传', 'fraud'],
    ['好人好事', 'good'],
    ['诈', 'fraud'],
  ])('finds %s', async (q, slug) => {
    const db = await freshDb();
    await addArticle(db, 'community', '社区志愿服务站揭牌', '城关镇东门社区新建志愿服务站。');
    await addArticle(db, 'good', '身边的好人好事', '记录邻里之间的温暖瞬间。');
    await addArticle(db, 'fraud', '老人防骗指南', '民警走进村里开展反诈宣传，讲解电信诈骗的常见手法。');
    const r = await search(db, { q });
    expect(r.items.map((i) => i.url)).toContain(`/articles/${slug}`);
    expect(r.items.every((i) => i.snippet.some((p) => p.hit) || i.title.some((p) => p.hit))).toBe(true);
  });

  test('finds 2-character words in the demo county across types', async () => {
    const db = await freshDb({ seed: 'demo' });
    for (const q of ['社区', '好人', '反诈']) {
      const r = await search(db, { q });
      expect(r.total, q).toBeGreaterThan(0);
    }
    const r = await search(db, { q: '志愿' });
    expect(Object.keys(r.byType).length).toBeGreaterThanOrEqual(3);
  });

  test('events still to come rank before those already held (within title hits and within the rest)', async () => {
    const db = await freshDb({ seed: 'demo' });
    const now = Date.now();
    const r = await search(db, { q: '社区', type: 'event', perPage: 100, now });
    const held = r.items.map((i) => i.sortAt <= now);
    const titleHit = r.items.map((i) => i.title.some((p) => p.hit));
    expect(held).toContain(true);
    expect(held).toContain(false);
    for (let i = 1; i < r.items.length; i++) {
      // Order: title hit first; inside each group, coming events before held ones.
      if (titleHit[i] === titleHit[i - 1]) expect(held[i] || !held[i - 1], `${i}: ${r.items[i].url}`).toBe(true);
      else expect(titleHit[i - 1]).toBe(true);
    }
  });

  test('title hits rank before body hits, and filters and pages work', async () => {
    const db = await freshDb();
    for (let i = 0; i < 12; i++) await addArticle(db, `body-${i}`, `第${i}期工作简报`, '本期内容：社区、社区、社区，反复提到社区志愿服务。');
    await addArticle(db, 'title', '社区新闻', '无关内容。');
    const r = await search(db, { q: '社区', perPage: 5 });
    expect(titles(r)[0]).toBe('社区新闻');
    expect(r.total).toBe(13);
    expect(r.pages).toBe(3);
    const p3 = await search(db, { q: '社区', perPage: 5, page: 3 });
    expect(p3.items).toHaveLength(3);
    expect((await search(db, { q: '社区', type: 'team' })).total).toBe(0);
    expect((await search(db, { q: '社区', type: 'article' })).total).toBe(13);
  });

  test('the index follows inserts, updates and deletes; unpublished items never appear', async () => {
    const db = await freshDb();
    const id = await addArticle(db, 'draft', '反诈草稿', '正文', 'draft');
    expect((await search(db, { q: '反诈' })).total).toBe(0);
    await db.$client.execute({ sql: `UPDATE articles SET status = 'published' WHERE id = ?`, args: [id] });
    expect((await search(db, { q: '反诈' })).total).toBe(1);
    await db.$client.execute({ sql: `UPDATE articles SET title = '防骗提醒' WHERE id = ?`, args: [id] });
    expect((await search(db, { q: '反诈' })).total).toBe(0);
    expect(titles(await search(db, { q: '防骗' }))).toEqual(['防骗提醒']);
    await db.$client.execute({ sql: `DELETE FROM articles WHERE id = ?`, args: [id] });
    expect((await search(db, { q: '防骗' })).total).toBe(0);
    // honorees: only published, and a minor's name only masked
    await db.$client.execute(
      `INSERT INTO honorees (slug, name, category, level, summary, status, name_consent, created_at) VALUES ('kid', '张小华', '助人为乐', '县', '勇救落水同学', 'published', 0, 1)`,
    );
    const r = await search(db, { q: '落水' });
    expect(titles(r)).toEqual(['张*华']);
    expect((await search(db, { q: '小华' })).total).toBe(0);
    await db.$client.execute(`UPDATE honorees SET status = 'withdrawn' WHERE slug = 'kid'`);
    expect((await search(db, { q: '落水' })).total).toBe(0);
  });

  test('rebuild gives the same results as the triggers', async () => {
    const db = await freshDb({ seed: 'demo' });
    const before = await search(db, { q: '志愿', perPage: 50 });
    await rebuildSearchIndex(db);
    const after = await search(db, { q: '志愿', perPage: 50 });
    expect(after.total).toBe(before.total);
    expect(after.items.map((i) => i.url).sort()).toEqual(before.items.map((i) => i.url).sort());
  });

  test('highlight marks every occurrence and keeps the text', () => {
    const parts = highlight('<b>社区</b>与社区', ['社区']);
    expect(parts.map((p) => p.text).join('')).toBe('<b>社区</b>与社区');
    expect(parts.filter((p) => p.hit)).toHaveLength(2);
  });

  test('odd input never throws', async () => {
    const db = await freshDb();
    for (const q of ['"', '*', 'AND OR NOT', '(', '  ', '社"区', 'a'.repeat(500), 'NEAR(a b)']) {
      await expect(search(db, { q })).resolves.toBeTruthy();
    }
  });
});
