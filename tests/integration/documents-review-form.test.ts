// 《信息发布审核表》 content (issue 19 item 3): the levels the published version went through, with names,
// dates and 保密审查意见 from the review trail; the 正文 as plain text with a SHA-256 of the whole.
import { beforeAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createArticle } from '../../src/domain/articles/editing.ts';
import { reviewArticle, submitForReview } from '../../src/domain/articles/review.ts';
import { reviewForm } from '../../src/domain/articles/review-form.ts';
import { articleBodyText } from '../../src/domain/articles/body-text.ts';
import { EDITOR, REVIEWER1, REVIEWER2, staff } from './publishing-helpers.ts';

let db: Db;
let editor: SessionUser;
let r1: SessionUser;
let r2: SessionUser;

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  editor = await staff(db, EDITOR);
  r1 = await staff(db, REVIEWER1);
  r2 = await staff(db, REVIEWER2);
});

describe('信息发布审核表', () => {
  test('a returned then approved article: 撰稿 / 初审 / 终审 / 分管领导 of the last round, secrecy opinions, plain 正文 and its fingerprint', async () => {
    const body = `## 活动概况\n\n本周末，**城关镇**红马甲志愿服务队开展[文明劝导](/articles/x)。\n\n- 劝导行人 120 人次\n- 发放资料 300 份\n\n${'志愿者们认真负责。'.repeat(80)}`;
    const id = await createArticle(db, editor, {
      title: '城关镇开展文明劝导活动',
      channel: 'news',
      topic: null,
      honoreeId: null,
      summary: '志愿者走上街头。',
      body,
      tags: [],
      author: '林晓雯',
      source: '县文明办',
      coverMediaId: null,
      attachments: [],
    });
    const t0 = Date.UTC(2026, 10, 2, 1);
    await submitForReview(db, editor, id, t0);
    await reviewArticle(db, r1, id, 'return', '请补充活动时间', t0 + 3600_000);
    await submitForReview(db, editor, id, t0 + 7200_000);
    await reviewArticle(db, r1, id, 'approve', '同意，送终审', t0 + 8000_000, { secrecyOpinion: '不涉及国家秘密和个人隐私' });
    await reviewArticle(db, r2, id, 'approve', '同意发布', t0 + 9000_000, { secrecyOpinion: '同意公开' });
    const f = (await reviewForm(db, id, 'https://yx.example.cn'))!;
    expect(f.boxes.map((b) => [b.level, b.name])).toEqual([
      ['撰稿', editor.realName],
      ['初审', r1.realName],
      ['终审', r2.realName],
      ['分管领导', ''],
    ]);
    expect(f.boxes[1].at).toBe(t0 + 8000_000);
    expect(f.publisher).toBe(r2.realName);
    expect(f.url).toMatch(/^https:\/\/yx\.example\.cn\/articles\/.+/);
    expect(f.secrecyOpinions.map((o) => `${o.level}:${o.text}`)).toEqual(['初审:不涉及国家秘密和个人隐私', '终审:同意公开']);
    const text = articleBodyText(body);
    expect(text.startsWith('活动概况\n本周末，城关镇红马甲志愿服务队开展文明劝导。\n劝导行人 120 人次')).toBe(true);
    expect(text).not.toMatch(/[#*[\]<>]/);
    expect(f.truncated).toBe(true);
    expect(f.bodyExcerpt.length).toBeLessThan(f.bodyChars);
    expect(f.fingerprint).toBe(createHash('sha256').update(text).digest('hex'));
    const row = await db.$client.execute({ sql: `SELECT secrecy_opinion FROM review_steps WHERE subject_id = ? AND decision = 'approve' ORDER BY at`, args: [id] });
    expect(row.rows.map((r) => r.secrecy_opinion)).toEqual(['不涉及国家秘密和个人隐私', '同意公开']);
  });

  test('one configured review level: 撰稿 / 终审, and no 分管领导 box when switched off', async () => {
    await db.$client.execute(`INSERT INTO settings (key, value, updated_at) VALUES ('reviewSteps', '1', 0), ('reviewFormLeaderSign', 'false', 0)`);
    const id = await createArticle(db, editor, {
      title: '一审文章',
      channel: 'news',
      topic: null,
      honoreeId: null,
      summary: '',
      body: '正文。',
      tags: [],
      author: '',
      source: '',
      coverMediaId: null,
      attachments: [],
    });
    await submitForReview(db, editor, id);
    await reviewArticle(db, r2, id, 'approve', '');
    const f = (await reviewForm(db, id, 'http://x'))!;
    expect(f.boxes.map((b) => b.level)).toEqual(['撰稿', '终审']);
    await db.$client.execute(`DELETE FROM settings WHERE key IN ('reviewSteps', 'reviewFormLeaderSign')`);
  });

  test('the demo seed gives every published article a trail: submitted by the editor, 初审 and 终审 by two other staff, before publication', async () => {
    const rs = await db.$client.execute(`SELECT id, published_at FROM articles WHERE status = 'published' AND created_by = (SELECT id FROM users WHERE phone = '${EDITOR}') LIMIT 3`);
    expect(rs.rows.length).toBeGreaterThan(0);
    for (const a of rs.rows) {
      const f = (await reviewForm(db, Number(a.id), 'http://x'))!;
      expect(f.boxes.map((b) => b.level)).toEqual(['撰稿', '初审', '终审', '分管领导']);
      const names = f.boxes.slice(0, 3).map((b) => b.name);
      expect(new Set(names).size).toBe(3);
      for (const b of f.boxes.slice(0, 3)) expect(b.at!).toBeLessThan(Number(a.published_at));
      expect(f.secrecyOpinions.length).toBe(2);
    }
  });
});
