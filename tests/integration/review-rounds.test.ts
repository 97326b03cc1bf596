// Issue 17.1/17.6 against a real libSQL file: each submission keeps what was submitted; a reviewer
// sees what changed since the round they last acted on; 待我处理 lists what waits for each person.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createArticle, saveArticle, type ArticleContent } from '../../src/domain/articles/editing.ts';
import { bodyLines, listConsoleArticles } from '../../src/domain/articles/queries.ts';
import { approvedThisRound, reviewArticle, submitForReview } from '../../src/domain/articles/review.ts';
import { changesSinceLastReview } from '../../src/domain/articles/review-changes.ts';
import { EDITOR, REVIEWER1, REVIEWER2, staff } from './publishing-helpers.ts';

let db: Db;
let editor: SessionUser;
let r1: SessionUser;
let r2: SessionUser;

const content = (body: string, over: Partial<ArticleContent> = {}): ArticleContent => ({
  title: '县图书馆开展亲子阅读活动',
  channel: 'news',
  topic: null,
  honoreeId: null,
  summary: '亲子阅读走进社区。',
  body,
  bodyFormat: 'markdown',
  tags: [],
  author: '林晓雯',
  source: '县文明办',
  coverMediaId: null,
  attachments: [],
  ...over,
});
const BODY1 = '第一段：活动于周六上午举行。\n\n第二段：共有 30 组家庭参加。\n\n第三段：活动每月举办一次。';
const BODY2 = '第一段：活动于周六上午举行。\n\n第二段：共有 45 组家庭参加。\n\n第三段：活动每月举办一次。';

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  editor = await staff(db, EDITOR);
  r1 = await staff(db, REVIEWER1);
  r2 = await staff(db, REVIEWER2);
});

describe('review rounds', () => {
  test('the submit step keeps what was submitted; after a return the reviewer sees only the changed words', async () => {
    const id = await createArticle(db, editor, content(BODY1));
    await submitForReview(db, editor, id);
    const snap = await db.$client.execute({ sql: "SELECT snapshot FROM review_steps WHERE subject_type = 'article' AND subject_id = ? AND decision = 'submit'", args: [id] });
    expect(JSON.parse(String(snap.rows[0].snapshot))).toMatchObject({ title: '县图书馆开展亲子阅读活动', body: BODY1 });
    expect(await changesSinceLastReview(db, r1.id, id)).toEqual({ lastActed: null, rows: null, changed: 0 });
    await reviewArticle(db, r1, id, 'return', '第二段数字请核实');
    await saveArticle(db, editor, id, content(BODY2));
    await submitForReview(db, editor, id);
    const c = await changesSinceLastReview(db, r1.id, id);
    expect(c.lastActed?.decision).toBe('return');
    expect(c.changed).toBe(1);
    expect(c.rows!.filter((r) => r.op !== 'same')).toEqual([
      {
        op: 'change',
        parts: [
          { op: 'same', text: '第二段：共有 ' },
          { op: 'del', text: '30' },
          { op: 'add', text: '45' },
          { op: 'same', text: ' 组家庭参加。' },
        ],
      },
    ]);
    // Reviewer 2 has not acted on it: no diff, a full read.
    expect((await changesSinceLastReview(db, r2.id, id)).lastActed).toBeNull();
  });

  test('a reviewer who approved 初审 is known to have done so; 待我处理 drops it for them and keeps it for reviewer 2', async () => {
    const id = await createArticle(db, editor, content(BODY1, { title: '待我处理测试文章' }));
    await submitForReview(db, editor, id);
    await reviewArticle(db, r1, id, 'approve', '同意');
    const row = await db.$client.execute({ sql: 'SELECT submitted_at FROM articles WHERE id = ?', args: [id] });
    const subject = { type: 'article' as const, id, submittedAt: Number(row.rows[0].submitted_at) };
    expect(await approvedThisRound(db, r1.id, subject)).toBe(true);
    expect(await approvedThisRound(db, r2.id, subject)).toBe(false);
    const todo = async (u: SessionUser, writer: boolean, reviewer: boolean) => (await listConsoleArticles(db, { status: 'todo', todo: { userId: u.id, writer, reviewer } })).map((x) => x.a.id);
    expect(await todo(r1, false, true)).not.toContain(id);
    expect(await todo(r2, false, true)).toContain(id);
    await reviewArticle(db, r2, id, 'return', '标题请改');
    expect(await todo(editor, true, false)).toContain(id);
  });

  test('an approval without an opinion records none: no 同意 the reviewer did not write', async () => {
    const id = await createArticle(db, editor, content(BODY1, { title: '无意见审核测试' }));
    await submitForReview(db, editor, id);
    await reviewArticle(db, r1, id, 'approve', '  ');
    const rs = await db.$client.execute({ sql: "SELECT opinion FROM review_steps WHERE subject_type = 'article' AND subject_id = ? AND decision = 'approve'", args: [id] });
    expect(rs.rows.map((r) => r.opinion)).toEqual(['']);
  });

  test('bodyLines reads Markdown by line and rich-text HTML by block', () => {
    expect(bodyLines({ body: '甲\n\n乙' })).toEqual(['甲', '乙']);
    expect(bodyLines({ body: '<p>第一段<strong>加粗</strong></p><p>第二段 &amp; 更多</p><p><img src="/media/0123456789abcdef-480.webp" alt="合影"></p>', bodyFormat: 'html' })).toEqual([
      '第一段加粗',
      '第二段 & 更多',
      '[图片：合影]',
    ]);
  });
});
