// Issue 15 item 10 at the data layer: the search index holds an honoree's public name and
// public text exactly as publicHonoree (src/domain/honors/public.ts) renders them, and
// documents indexed before the fix are re-indexed on the next start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { customSqlFolder } from '../../db/migrate.ts';
import { publicHonoree, publicHonoreeName, publicHonoreeText } from '../../src/domain/honors/public.ts';
import { search } from '../../src/domain/search/index.ts';
import { renderUserMarkdown } from '../../src/lib/markdown.ts';

const names = ['张伟', '杨欣悦', '欧阳小明', '阿依古丽买', '𠀾小华', '王'];

describe('public honoree text', () => {
  test('the full and the given name are masked; asterisks are escaped in Markdown', () => {
    const h = { name: '杨欣悦', nameConsent: false, kind: 'person' };
    const story = '杨欣悦今年十五岁。欣悦说：“**杨欣悦**会坚持。”';
    expect(publicHonoreeText(h, story)).toBe('杨*悦今年十五岁。*悦说：“**杨*悦**会坚持。”');
    const md = publicHonoreeText(h, story, { markdown: true });
    expect(md).toBe('杨\\*悦今年十五岁。\\*悦说：“**杨\\*悦**会坚持。”');
    expect(renderUserMarkdown(md)).toBe('<p>杨*悦今年十五岁。*悦说：“<strong>杨*悦</strong>会坚持。”</p>\n');
    expect(publicHonoreeText({ ...h, nameConsent: true }, story)).toBe(story);
    expect(publicHonoreeText({ ...h, kind: 'family' }, story)).toBe(story);
  });

  test('the public view replaces the name in every text and keeps nothing of the full name', () => {
    const h = publicHonoree({
      id: 1,
      name: '郁沁柠',
      nameConsent: false,
      kind: 'person',
      epithet: '沁柠姐姐',
      identity: '学生',
      title: '',
      summary: '郁沁柠照顾奶奶。',
      story: '沁柠今年十二岁。',
      laterHonours: JSON.stringify(['郁沁柠获评最美少年']),
    });
    expect(JSON.stringify(h)).not.toMatch(/郁沁柠|沁柠/);
    expect(h).toMatchObject({ name: '郁*柠', epithet: '*柠姐姐', summary: '郁*柠照顾奶奶。', story: '\\*柠今年十二岁。', laterHonours: JSON.stringify(['郁*柠获评最美少年']) });
  });
});

describe('search index', () => {
  test.each(names)('the indexed title and body of %s match publicHonoree', async (name) => {
    const db = await freshDb();
    const summary = `${name}照顾奶奶。`;
    const story = `${name}今年十二岁，${[...name].slice(-2).join('')}很懂事。`;
    await db.$client.execute({
      sql: `INSERT INTO honorees (slug, name, kind, category, level, summary, story, status, name_consent, created_at) VALUES ('kid', ?, 'person', '孝老爱亲', '县', ?, ?, 'published', 0, 1)`,
      args: [name, summary, story],
    });
    const doc = (await db.$client.execute(`SELECT title, body FROM search_docs WHERE type = 'honoree'`)).rows[0];
    const h = { name, nameConsent: false, kind: 'person' };
    expect(doc.title).toBe(publicHonoreeName(h));
    expect(doc.body).toBe(publicHonoreeText(h, `孝老爱亲 县级   ${summary} ${story}`, { markdown: true }));
  });

  test('documents indexed with the full name are re-indexed when the start-up SQL runs', async () => {
    const db = await freshDb();
    await db.$client.execute(
      `INSERT INTO honorees (slug, name, kind, category, level, summary, story, status, name_consent, created_at) VALUES ('kid', '郁沁柠', 'person', '孝老爱亲', '县', '郁沁柠照顾奶奶。', '沁柠很懂事。', 'published', 0, 1)`,
    );
    // What an older view left behind: the story with the full name in the index.
    await db.$client.batch(
      [
        `DELETE FROM search_docs WHERE type = 'honoree'`,
        `INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT 'honoree', id, '郁*柠', summary || ' ' || story, '/honors/kid', 1 FROM honorees WHERE slug = 'kid'`,
      ],
      'write',
    );
    expect((await search(db, { q: '沁柠' })).total).toBe(1);
    await db.$client.executeMultiple(readFileSync(join(customSqlFolder, 'search.sql'), 'utf8'));
    for (const q of ['郁沁柠', '郁沁', '沁柠']) expect((await search(db, { q })).total, q).toBe(0);
    const r = await search(db, { q: '奶奶' });
    expect(r.items.map((i) => i.title.map((p) => p.text).join(''))).toEqual(['郁*柠']);
    expect(r.items[0].snippet.map((p) => p.text).join('')).toContain('郁*柠照顾奶奶。 *柠很懂事。');
  });
});
